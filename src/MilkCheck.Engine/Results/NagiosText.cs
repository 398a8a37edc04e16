using System.Globalization;
using System.Text;
using MilkCheck.NodeSets;

namespace MilkCheck;

/// <summary>
/// A run as a Nagios plugin reports it (Nagios plugin guidelines; Naemon, Icinga and Centreon read the same):
/// one first line <c>MILKCHECK &lt;STATE&gt; - &lt;text&gt; | &lt;perfdata&gt;</c>, then one line per failed or warning
/// action. Shared by <c>milkcheck --nagios</c> and <c>ConvertTo-MilkCheckNagios</c>.
/// </summary>
public static class NagiosText
{
    /// <summary>The service label of the first line.</summary>
    public const string Label = "MILKCHECK";

    private const int NamesShown = 5;

    /// <summary>The plugin state of MilkCheck's exit code: 0 OK, 3 WARNING, 6 CRITICAL, anything else UNKNOWN.</summary>
    public static string StateOf(int milkCheckExitCode) => milkCheckExitCode switch
    {
        0 => "OK",
        3 => "WARNING",
        6 => "CRITICAL",
        _ => "UNKNOWN",
    };

    /// <summary>The plugin's exit code for MilkCheck's: 0 → 0, 3 → 1, 6 → 2, anything else (errors, interruptions) → 3.</summary>
    public static int PluginExitCode(int milkCheckExitCode) => milkCheckExitCode switch
    {
        0 => 0,
        3 => 1,
        6 => 2,
        _ => 3,
    };

    /// <summary>
    /// The plugin text of a run from its results. <paramref name="unknownReason"/> (the run timed out or was
    /// stopped) makes it UNKNOWN while still telling what was known.
    /// </summary>
    /// <param name="action">The run's action, for the text when no result names it (a run stopped before any result).</param>
    public static string Format(IReadOnlyCollection<ActionResult> results, string? unknownReason = null, string? action = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        int exitCode = unknownReason is null ? RunSummary.ExitCodeOf(results) : -1;
        string state = StateOf(exitCode);
        action ??= results.FirstOrDefault(r => r.IsEntry)?.Action ?? results.FirstOrDefault()?.Action ?? "run";
        var failed = results.Where(r => r.IsFailure).ToList();
        var warned = results.Where(r => r.Status == ActionStatus.Warning).ToList();
        int done = results.Count(r => r.Status == ActionStatus.Done);

        string summary = unknownReason is not null
            ? $"{action}: {unknownReason}; {done} of {Plural(results.Count, "service")} ok, {failed.Count} failed, {warned.Count} warning"
            : exitCode switch
            {
                6 => $"{action}: {failed.Count} of {Plural(results.Count, "service")} failed ({Names(failed)})",
                3 => $"{action}: {warned.Count} of {Plural(results.Count, "service")} warning ({Names(warned)})",
                _ when failed.Count > 0 => $"{action}: {done} of {Plural(results.Count, "service")} ok, {failed.Count} failed outside the entries ({Names(failed)})",
                _ => $"{action}: {Plural(results.Count, "service")} ok",
            };

        var failedNodes = NodeSet.UnionAll(failed.Concat(warned).Select(FailedNodesOf));
        TimeSpan duration = results.Count == 0 ? TimeSpan.Zero
            : results.Max(r => r.StartTime + r.Duration) - results.Min(r => r.StartTime);

        var text = new StringBuilder();
        text.Append(Label).Append(' ').Append(state).Append(" - ").Append(Clean(summary)).Append(" | ")
            .Append(Perfdata("services", results.Count.ToString(CultureInfo.InvariantCulture))).Append(' ')
            .Append(Perfdata("failed", failed.Count.ToString(CultureInfo.InvariantCulture))).Append(' ')
            .Append(Perfdata("warning", warned.Count.ToString(CultureInfo.InvariantCulture))).Append(' ')
            .Append(Perfdata("nodes_failed", failedNodes.Count.ToString(CultureInfo.InvariantCulture))).Append(' ')
            .Append(Perfdata("duration", duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) + "s"));
        foreach (ActionResult result in results.Where(r => r.IsFailure || r.Status == ActionStatus.Warning))
            text.Append('\n').Append(Clean(LongLine(result)));
        return text.ToString();
    }

    /// <summary>The text of a run that could not start or be judged (bad option, bad configuration…): UNKNOWN, no perfdata.</summary>
    public static string Unknown(string message)
    {
        string[] lines = message.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n');
        var text = new StringBuilder();
        text.Append(Label).Append(" UNKNOWN - ").Append(Clean(lines[0].Trim()));
        foreach (string line in lines.Skip(1).Where(l => l.Trim().Length > 0))
            text.Append('\n').Append(Clean(line.Trim()));
        return text.ToString();
    }

    /// <summary><c>service.action STATUS on nodes: first output line</c>.</summary>
    private static string LongLine(ActionResult result)
    {
        var line = new StringBuilder();
        line.Append(result.Service).Append('.').Append(result.Action).Append(' ').Append(UpstreamName(result.Status));
        NodeSet failedNodes = FailedNodesOf(result);
        if (!failedNodes.IsEmpty)
            line.Append(" on ").Append(failedNodes);
        string? output = result.Nodes.Where(n => n.Status != NodeStatus.Ok)
            .Select(n => n.Output.Length > 0 ? n.Output : n.Reason ?? string.Empty)
            .FirstOrDefault(o => o.Trim().Length > 0);
        if (output is not null)
            line.Append(": ").Append(output.Split('\n')[0].TrimEnd());
        return line.ToString();
    }

    /// <summary>The nodes where the action did not succeed; <c>localhost</c> for a local action that failed.</summary>
    private static NodeSet FailedNodesOf(ActionResult result) =>
        NodeSet.FromList(result.Nodes.Where(n => n.Status != NodeStatus.Ok).Select(n => n.Node));

    private static string UpstreamName(ActionStatus status) => status switch
    {
        ActionStatus.Done => "DONE",
        ActionStatus.Warning => "WARNING",
        ActionStatus.Timeout => "TIMEOUT",
        ActionStatus.Error => "ERROR",
        ActionStatus.DependencyError => "DEP_ERROR",
        ActionStatus.Skipped => "SKIPPED",
        ActionStatus.Locked => "LOCKED",
        ActionStatus.Missing => "MISSING",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown action status."),
    };

    private static string Names(IReadOnlyList<ActionResult> results)
    {
        string shown = string.Join(", ", results.Take(NamesShown).Select(r => r.Service));
        return results.Count > NamesShown ? $"{shown} and {results.Count - NamesShown} more" : shown;
    }

    private static string Plural(int count, string word) => $"{count} {word}{(count == 1 ? string.Empty : "s")}";

    /// <summary><c>label=value;warn;crit;min;max</c> with no thresholds and a minimum of 0.</summary>
    private static string Perfdata(string label, string value) => $"{label}={value};;;0";

    /// <summary>A pipe starts the perfdata and a line break a new line: neither may appear inside a line.</summary>
    private static string Clean(string line) => line.Replace('|', '/').Replace('\r', ' ').Replace('\n', ' ');
}
