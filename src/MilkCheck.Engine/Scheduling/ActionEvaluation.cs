namespace MilkCheck.Scheduling;

/// <summary>Upstream's formula from an attempt's node outcomes to an action status (spec §4.2.5).</summary>
internal static class ActionEvaluation
{
    /// <summary>
    /// E = error nodes (non-zero exit, and transport failures, which upstream sees as ssh's 255), Tm = timed-out
    /// nodes: Tm &gt; errors with E = 0 → Timeout; E + Tm &gt; errors → Error; E + Tm &gt; warnings → Warning; else Done.
    /// </summary>
    public static ActionStatus Evaluate(IEnumerable<NodeStatus> nodes, int errors, int warnings)
    {
        int failed = 0, timedOut = 0;
        foreach (NodeStatus status in nodes)
        {
            switch (status)
            {
                case NodeStatus.Ok:
                    break;
                case NodeStatus.Timeout:
                    timedOut++;
                    break;
                case NodeStatus.Failed:
                case NodeStatus.Unreachable:
                case NodeStatus.AuthenticationFailed:
                case NodeStatus.HostKeyRejected:
                case NodeStatus.Cancelled:
                    failed++;
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(nodes), status, "Unknown node status.");
            }
        }
        if (timedOut > errors && failed == 0)
            return ActionStatus.Timeout;
        if (failed + timedOut > errors)
            return ActionStatus.Error;
        if (failed + timedOut > warnings)
            return ActionStatus.Warning;
        return ActionStatus.Done;
    }
}
