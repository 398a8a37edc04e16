using System.Text;

namespace MilkCheck.Execution.Ssh;

/// <summary>
/// What the SSH.NET transport sends as the exec request: the command wrapped so that it dies with its channel,
/// whoever the remote user is. Closing a channel does not end the command it runs (sshd only closes its pipes),
/// and the SSH "signal" request is refused for sessions without privilege separation (root logins: "session
/// signalling requires privilege separation"), so a timed-out or cancelled command would run on for ever.
/// <para>
/// OpenSSH's sshd makes the login shell a session and process-group leader (setsid), and every process the command
/// starts (without job control) stays in that group. The wrapper keeps the channel's stdin for a small watcher
/// (<c>/bin/sh</c>, in the group) that reads it until end of file, which only comes when the channel closes (SSH.NET
/// never sends EOF on it): the client closed it (timeout, Ctrl+C, the run ended) or the connection dropped. The
/// watcher then sends TERM to the group, and KILL 5 s later to what is left. When the command ends by itself the
/// wrapper stops the watcher first, so what the command left running on purpose (<c>nohup daemon &amp;</c>) stays.
/// </para>
/// <para>
/// The command text is unchanged: it is single-quoted into a variable and <c>eval</c>'d in a subshell of the same
/// login shell, so its syntax (here-documents of embedded scripts included), its exit status (an <c>exit</c> in it
/// ends the subshell only) and its output are those of the command alone. Its stdin is <c>/dev/null</c>, as the
/// local transports close it: a command that reads stdin gets end of file instead of waiting for ever. A command
/// killed by a signal reports 128 + the signal number, as <c>sh</c> reports it (and the local transport).
/// The login shell must be a Bourne-family shell (sh, bash, dash, ksh, zsh).
/// </para>
/// </summary>
internal static class RemoteCommand
{
    private const string Watcher =
        "while read -r l; do :; done; trap \"\" TERM; kill -s TERM -- -$1; sleep 5; kill -s KILL -- -$1";

    public static string Wrap(string command) => new StringBuilder(command.Length + 400)
        .Append("__milkcheck_command=").Append(Quote(command)).Append('\n')
        .Append("exec 3<&0\n")
        // The watcher targets the group whose id is the login shell's pid: nothing if sshd did not make it a leader.
        .Append("/bin/sh -c ").Append(Quote(Watcher)).Append(" milkcheck-watch $$ <&3 >/dev/null 2>&1 &\n")
        .Append("__milkcheck_watch=$!\n")
        .Append("(eval \"$__milkcheck_command\") </dev/null 3<&-\n")
        .Append("__milkcheck_status=$?\n")
        .Append("kill $__milkcheck_watch 2>/dev/null\n")
        .Append("exit $__milkcheck_status")
        .ToString();

    /// <summary>A POSIX shell single-quoted word holding <paramref name="text"/> exactly.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
