namespace MilkCheck.Scheduling;

/// <summary>Upstream's aggregation order (spec §4.1): the highest wins.</summary>
internal enum Severity { Locked = 3, Missing = 4, Skipped = 5, Done = 6, Warning = 7, NoStatus = 8, Waiting = 9, DependencyError = 10 }

/// <summary>How final statuses combine along dependency edges, group sinks and action-level checks (spec §4.4–§4.8).</summary>
internal static class StatusRules
{
    /// <summary>REQUIRE semantics over final statuses (group sinks, action-level checks): a failure is DependencyError;
    /// then Warning &gt; Done &gt; Skipped &gt; Missing &gt; Locked, which is also the answer when there is none.</summary>
    public static Severity WorstUnderRequire(IEnumerable<ActionStatus> statuses)
    {
        Severity worst = Severity.Locked;
        foreach (ActionStatus status in statuses)
        {
            Severity severity = Map(status, DependencyKind.Require);
            if (severity > worst)
                worst = severity;
        }
        return worst;
    }

    /// <summary>What a final status means to a dependent through an edge of this kind.</summary>
    public static Severity Map(ActionStatus status, DependencyKind kind)
    {
        bool strong = kind is DependencyKind.Require or DependencyKind.Check;
        return status switch
        {
            ActionStatus.Error or ActionStatus.Timeout or ActionStatus.DependencyError => strong ? Severity.DependencyError : Severity.Done,
            ActionStatus.Done => Severity.Done,
            ActionStatus.Warning => Severity.Warning,
            ActionStatus.Skipped => Severity.Skipped,
            ActionStatus.Missing => Severity.Missing,
            ActionStatus.Locked => Severity.Locked,
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown action status."),
        };
    }

    /// <summary>The status a group takes from the worst of its sinks.</summary>
    public static ActionStatus ToStatus(Severity severity) => severity switch
    {
        Severity.DependencyError => ActionStatus.DependencyError,
        Severity.Warning => ActionStatus.Warning,
        Severity.Done => ActionStatus.Done,
        Severity.Skipped => ActionStatus.Skipped,
        Severity.Missing => ActionStatus.Missing,
        Severity.Locked => ActionStatus.Locked,
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, "A waiting severity is not a final status."),
    };
}
