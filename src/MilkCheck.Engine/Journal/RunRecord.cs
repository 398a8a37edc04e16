namespace MilkCheck;

/// <summary>How a recorded run ended.</summary>
public enum RunState
{
    /// <summary>The run went to its end (whatever its results).</summary>
    Completed,

    /// <summary>The run was stopped (Ctrl+C, Stop-Job, -ErrorAction Stop) or killed: its journal has no closing line or says so.</summary>
    Interrupted,
}

/// <summary>One run recorded in the journal (Get-MilkCheckRun).</summary>
/// <param name="EndTime">Null when the process was killed before the closing line.</param>
/// <param name="ExitCode">Upstream's exit code (0/3/6) from the results the journal holds.</param>
public sealed record RunRecord(
    string Id, DateTimeOffset StartTime, DateTimeOffset? EndTime, string Action, IReadOnlyList<string> Services,
    string User, string Host, string Path, RunState State, int ExitCode, int Total, int Failed, string JournalPath)
{
    public override string ToString() => $"{Id}: {Action} {State} (exit {ExitCode})";
}
