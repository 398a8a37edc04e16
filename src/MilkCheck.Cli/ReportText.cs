using System.Text;
using MilkCheck.Configuration;
using MilkCheck.NodeSets;

namespace MilkCheck.Cli;

/// <summary>
/// Upstream's end-of-run report (spec §5.4.5): <c>default</c> counts and lists the failed actions, <c>full</c> adds
/// each one's failed nodes and command, then the nodes that succeeded everywhere.
/// </summary>
internal static class ReportText
{
    public static string Write(IReadOnlyList<ActionResult> results, ReportMode mode, Colours colours)
    {
        RunSummary summary = RunSummary.FromResults(results);
        var lines = new List<string>();
        var failedNodes = new List<NodeSet>();
        var allNodes = new List<NodeSet>();
        foreach (ActionResult action in Actions(results))
        {
            if (action.Status is ActionStatus.Skipped or ActionStatus.Done or ActionStatus.Warning or ActionStatus.Error or ActionStatus.Timeout)
                allNodes.Add(TargetOf(action));
            if (action.Status is not (ActionStatus.Error or ActionStatus.Timeout))
                continue;
            string name = $"{action.Service}.{action.Action}";
            lines.Add(" + " + colours.Paint(string.IsNullOrEmpty(action.Description) ? name : $"{name} - {action.Description}", Colours.Red));
            NodeSet failed = NodeSet.FromList(action.Nodes.Where(n => n.Status != NodeStatus.Ok).Select(n => n.Node));
            failedNodes.Add(failed);
            if (mode == ReportMode.Full)
            {
                lines.Add($"    {colours.Paint("Target", Colours.Yellow)}: {failed}");
                lines.Add($"    {colours.Paint("Command", Colours.Yellow)}: {action.Command}");
            }
        }
        var text = new StringBuilder();
        text.Append('\n').Append(' ').Append(colours.Paint("SUMMARY", Colours.Magenta)).Append(" - ")
            .Append(colours.Paint(summary.Total.ToString(System.Globalization.CultureInfo.InvariantCulture), Colours.Cyan))
            .Append(summary.Total > 1 ? " actions (" : " action (")
            .Append(colours.Paint(summary.Failed.ToString(System.Globalization.CultureInfo.InvariantCulture), summary.Failed > 0 ? Colours.Red : Colours.Green))
            .Append(" failed)");
        foreach (string line in lines)
            text.Append('\n').Append(line);
        if (mode == ReportMode.Full)
        {
            NodeSet good = NodeSet.UnionAll(allNodes) - NodeSet.UnionAll(failedNodes);
            if (!good.IsEmpty)
                text.Append("\n + ").Append(colours.Paint("Success on all services", Colours.Green)).Append("\n    ").Append(good);
        }
        return text.ToString();
    }

    /// <summary>Every action of the run in completion order, check actions before the action they guard.</summary>
    private static IEnumerable<ActionResult> Actions(IEnumerable<ActionResult> results)
    {
        foreach (ActionResult result in results.Where(r => r.Kind == EntityKind.Service))
        {
            foreach (ActionResult check in result.Checks)
                yield return check;
            yield return result;
        }
    }

    /// <summary>The nodes an action ran on; local actions count none, delegate ones their target.</summary>
    private static NodeSet TargetOf(ActionResult action)
    {
        var names = action.Nodes.Select(n => n.Node).ToList();
        if (names.Count > 0 && !(names.Count == 1 && names[0] == "localhost"))
            return NodeSet.FromList(names);
        return action.Target.Length > 0 && names.Count > 0 ? NodeSet.Parse(action.Target) : NodeSet.Empty;
    }
}
