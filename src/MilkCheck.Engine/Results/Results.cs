using System.Text;

namespace MilkCheck;

/// <summary>Final status of one action on a service or group: a closed set (upstream DONE … MISSING).</summary>
public enum ActionStatus
{
    // Declaration order is not severity.
    Done, Warning, Timeout, Error, DependencyError, Skipped, Locked, Missing,
}

/// <summary>What happened on one node: a closed set. Transport failures are never a command's exit code.</summary>
public enum NodeStatus
{
    Ok, Failed, Timeout, Unreachable, AuthenticationFailed, HostKeyRejected,

    /// <summary>The run was stopped (Ctrl+C, -ErrorAction Stop, Stop-Job) before the command ended on the node.</summary>
    Cancelled,
}

/// <summary>Outcome of one command on one node.</summary>
public sealed record NodeResult(
    string Node, string Service, string Action, NodeStatus Status, int? ExitCode, string Output, TimeSpan Duration, string? Reason)
{
    /// <summary>One short line, <c>compute05: Failed (1)</c> or <c>admin1: Unreachable</c>: what Group-Object and error records show.</summary>
    public override string ToString() => ExitCode is { } code ? $"{Node}: {Status} ({code})" : $"{Node}: {Status}";
}

/// <summary>Outcome of one action on one entity, built once it is final and never changed.</summary>
public sealed record ActionResult(
    string Service, string Group, EntityKind Kind, string Action, ActionStatus Status, bool IsEntry,
    string Target, string FailedNodes, IReadOnlyList<NodeResult> Nodes, IReadOnlyList<ActionResult> Checks,
    string Command, DateTimeOffset StartTime, TimeSpan Duration, int Attempts, string? Description)
{
    /// <summary>The id of the run that wrote this result (as in its journal).</summary>
    public string RunId { get; init; } = string.Empty;

    /// <summary>The configuration path of the run, so that a piped rerun binds -Path by property name.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>Error, Timeout or DependencyError.</summary>
    public bool IsFailure => Status is ActionStatus.Error or ActionStatus.Timeout or ActionStatus.DependencyError;

    /// <summary>One short line, <c>compute.start: Error on compute05</c>, not a dump of every field.</summary>
    public override string ToString() =>
        FailedNodes.Length > 0 ? $"{Service}.{Action}: {Status} on {FailedNodes}" : $"{Service}.{Action}: {Status}";
}

/// <summary>
/// A run summarised from its results alone, with upstream's counts and exit code (spec §4.15, §5.4.5).
/// Its text (<see cref="ToString"/>) is upstream's <c>SUMMARY</c> block.
/// </summary>
public sealed record RunSummary(
    int Total, int Failed, IReadOnlyDictionary<string, int> Counts, IReadOnlyList<string> FailedActions,
    TimeSpan Duration, int ExitCode)
{
    private IReadOnlyList<string> FailedLines { get; init; } = Array.Empty<string>();

    /// <summary>Summarises the results of one run (every reached entity, in the order written).</summary>
    public static RunSummary FromResults(IEnumerable<ActionResult> results)
    {
        var list = results.ToList();
        int total = 0, failed = 0;
        var failedActions = new List<string>();
        var failedLines = new List<string>();
        void CountAction(ActionResult result)
        {
            // Upstream counts actions that ran or were decided; SKIPPED, LOCKED, MISSING and DEP_ERROR ones did not run.
            switch (result.Status)
            {
                case ActionStatus.Done:
                case ActionStatus.Warning:
                    total++;
                    break;
                case ActionStatus.Error:
                case ActionStatus.Timeout:
                    total++;
                    failed++;
                    string name = $"{result.Service}.{result.Action}";
                    failedActions.Add(name);
                    failedLines.Add(string.IsNullOrEmpty(result.Description) ? name : $"{name} - {result.Description}");
                    break;
                case ActionStatus.DependencyError:
                case ActionStatus.Skipped:
                case ActionStatus.Locked:
                case ActionStatus.Missing:
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(results), result.Status, "Unknown action status.");
            }
        }
        foreach (ActionResult result in list.Where(r => r.Kind == EntityKind.Service))
        {
            foreach (ActionResult check in result.Checks)
                CountAction(check);
            CountAction(result);
        }

        var counts = Enum.GetValues<ActionStatus>().ToDictionary(s => s.ToString(), s => list.Count(r => r.Status == s));
        TimeSpan duration = list.Count == 0 ? TimeSpan.Zero
            : list.Max(r => r.StartTime + r.Duration) - list.Min(r => r.StartTime);
        return new RunSummary(total, failed, counts, failedActions, duration, ExitCodeOf(list)) { FailedLines = failedLines };
    }

    /// <summary>The exit code of no result at all: a run writes one result per reached entity, so it never started.</summary>
    public const int NoResultExitCode = 9;

    /// <summary>
    /// 6 when an entry ended Error, Timeout or DependencyError; else 3 when a top-level entity ended Warning; else 0;
    /// 9 (<see cref="NoResultExitCode"/>) without any result, so a scheduled job whose run never started does not exit 0.
    /// </summary>
    public static int ExitCodeOf(IEnumerable<ActionResult> results)
    {
        var list = results as IReadOnlyCollection<ActionResult> ?? results.ToList();
        if (list.Count == 0)
            return NoResultExitCode;
        if (list.Any(r => r.IsEntry && r.IsFailure))
            return 6;
        if (list.Any(r => r.Group.Length == 0 && r.Status == ActionStatus.Warning))
            return 3;
        return 0;
    }

    /// <summary>The Nagios plugin state of <see cref="ExitCode"/>: OK (0), WARNING (3), CRITICAL (6), else UNKNOWN.</summary>
    public string NagiosStatus => ExitCode switch
    {
        0 => "OK",
        3 => "WARNING",
        6 => "CRITICAL",
        _ => "UNKNOWN",
    };

    /// <summary>Upstream's report block: an empty line, <c> SUMMARY - N actions (M failed)</c>, one <c> + </c> line per failed action.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append('\n').Append($" SUMMARY - {Total} action{(Total > 1 ? "s" : string.Empty)} ({Failed} failed)");
        foreach (string line in FailedLines.Count > 0 ? FailedLines : FailedActions)
            text.Append('\n').Append(" + ").Append(line);
        return text.ToString();
    }
}
