using System.Text.Json;
using System.Text.Json.Serialization;

namespace MilkCheck.Journal;

/// <summary>
/// The journal's JSON Lines (docs/journal.md): a header, one line per final result, a closing line. Property names
/// are the public types' own, enums are names, times ISO 8601 and durations <c>[d.]hh:mm:ss.fffffff</c>.
/// </summary>
internal static class JournalFormat
{
    public const int Version = 1;
    public const string Extension = ".jsonl";

    /// <summary>The lines' serializer: generated at build time (the milkcheck command is compiled ahead of time).</summary>
    public static JournalJsonContext Json => JournalJsonContext.Default;

    internal sealed record Header(
        string Type, int Format, string RunId, DateTimeOffset StartTime, string User, string Host, int ProcessId,
        string Action, IReadOnlyList<string> Services, IReadOnlyDictionary<string, object?> Parameters, string Path);

    internal sealed record ResultLine(string Type, ActionResult Result);

    internal sealed record SummaryLine(int Total, int Failed, IReadOnlyDictionary<string, int> Counts, IReadOnlyList<string> FailedActions, TimeSpan Duration, int ExitCode);

    internal sealed record End(string Type, DateTimeOffset EndTime, RunState State, SummaryLine Summary);

    /// <summary>Only the type, to tell the lines apart before reading them whole.</summary>
    internal sealed record Probe(string? Type);

    /// <summary>
    /// Where journals go: <c>journal_dir</c> (<c>~</c> expanded; relative to milkcheck.conf's folder), else
    /// <c>$XDG_STATE_HOME/milkcheck/runs</c>, else <c>~/.local/state/milkcheck/runs</c>.
    /// </summary>
    public static string Directory(Configuration.GlobalConfiguration global)
    {
        string home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (global.JournalDir is { } configured)
        {
            if (configured == "~" || configured.StartsWith("~/", StringComparison.Ordinal))
                return System.IO.Path.Combine(home, configured.Length > 2 ? configured[2..] : string.Empty);
            string? baseDir = global.SourceFile is null ? null : System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(global.SourceFile));
            return baseDir is null ? System.IO.Path.GetFullPath(configured) : System.IO.Path.GetFullPath(configured, baseDir);
        }
        string state = Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg && System.IO.Path.IsPathRooted(xdg)
            ? xdg
            : System.IO.Path.Combine(home, ".local", "state");
        return System.IO.Path.Combine(state, "milkcheck", "runs");
    }
}

/// <summary>Serialization of the journal's lines, generated at build time; enums as their names.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(JournalFormat.Header))]
[JsonSerializable(typeof(JournalFormat.ResultLine))]
[JsonSerializable(typeof(JournalFormat.End))]
[JsonSerializable(typeof(JournalFormat.Probe))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
internal sealed partial class JournalJsonContext : JsonSerializerContext
{
}
