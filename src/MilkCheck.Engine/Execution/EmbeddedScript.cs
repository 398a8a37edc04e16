namespace MilkCheck.Execution;

/// <summary>
/// Multi-line <c>cmd: |</c> blocks (architecture §8): a script is one <c>/bin/sh</c> command on the node; when its
/// first line is <c>#!interpreter [arg]</c>, the whole script goes on standard input to that interpreter instead,
/// written as a quoted here-document so that nothing is deployed and the same text works locally and over SSH.
/// </summary>
internal static class EmbeddedScript
{
    public static string ToShellCommand(string command)
    {
        if (!command.StartsWith("#!", StringComparison.Ordinal))
            return command;
        int newline = command.IndexOf('\n');
        if (newline < 0)
            return command; // a lone "#!..." line is a shell comment, as upstream runs it
        string interpreter = command[2..newline].Trim();
        if (interpreter.Length == 0)
            return command;
        string body = command.EndsWith('\n') ? command : command + "\n";
        string delimiter = "MILKCHECK_SCRIPT";
        for (int i = 1; body.Contains(delimiter, StringComparison.Ordinal); i++)
            delimiter = "MILKCHECK_SCRIPT_" + i;
        return $"{interpreter} <<'{delimiter}'\n{body}{delimiter}";
    }
}
