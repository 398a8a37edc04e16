using System.Globalization;
using System.Text;
using MilkCheck.NodeSets;

namespace MilkCheck;

/// <summary>
/// MilkCheck's text for results (spec §5.4.1, §5.4.3): the status line and the action block. Plain text; the
/// views colour the tag. Public so that format files can call it.
/// </summary>
public static class ResultText
{
    /// <summary>Upstream's widest layout.</summary>
    public const int MaxWidth = 120;

    /// <summary>The 11-character tag: <c>[    OK   ]</c>, <c>[DEP_ERROR]</c>…</summary>
    public static string Tag(ActionStatus status) => status switch
    {
        ActionStatus.Done => "[    OK   ]",
        ActionStatus.Warning => "[ WARNING ]",
        ActionStatus.Timeout => "[ TIMEOUT ]",
        ActionStatus.Error => "[  ERROR  ]",
        ActionStatus.DependencyError => "[DEP_ERROR]",
        ActionStatus.Skipped => "[ SKIPPED ]",
        ActionStatus.Locked => "[ LOCKED  ]",
        ActionStatus.Missing => "[ MISSING ]",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown action status."),
    };

    /// <summary>
    /// <c>label</c> left-justified in E−13 columns then two spaces and the tag, E = min(width, 120); a long
    /// label is cut to E−16 characters and <c>...</c>.
    /// </summary>
    public static string StatusLine(string service, string? description, ActionStatus status, int width)
    {
        int effective = Math.Min(width <= 0 ? 80 : width, MaxWidth);
        int labelWidth = Math.Max(effective - 13, 4);
        string label = Visible(string.IsNullOrEmpty(description) ? service : $"{service} - {description}");
        if (label.Length > labelWidth)
            label = label[..(labelWidth - 3)] + "...";
        return label.PadRight(labelWidth) + Tag(status).PadLeft(13);
    }

    public static string StatusLine(ActionResult result, int width) =>
        StatusLine(result.Service, result.Description, result.Status, width);

    /// <summary>
    /// <paramref name="text"/> safe to print on a terminal: control characters that a terminal would act on (ESC
    /// sequences that recolour, move the cursor or retitle the window, BEL, backspace…) become visible symbols, so
    /// command output can never drive the terminal. C0 controls and DEL become their Unicode Control Pictures
    /// (ESC → ␛ U+241B, BEL → ␇, CR → ␍, DEL → ␡); a C1 control becomes ␛ and its 7-bit equivalent (CSI U+009B → ␛[).
    /// Newline and tab are kept. Only the views use this: result objects keep the raw text.
    /// </summary>
    public static string Visible(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return text ?? string.Empty;
        int first = 0;
        while (first < text.Length && !NeedsPicture(text[first]))
            first++;
        if (first == text.Length)
            return text;
        var visible = new StringBuilder(text.Length + 8).Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (!NeedsPicture(c))
                visible.Append(c);
            else if (c < 0x20)
                visible.Append((char)(0x2400 + c));
            else if (c == 0x7F)
                visible.Append('\u2421');
            else
                visible.Append('\u241B').Append((char)(c - 0x40));
        }
        return visible.ToString();
    }

    private static bool NeedsPicture(char c) => (c < 0x20 && c is not ('\n' or '\t')) || c is >= '\u007F' and <= '\u009F';

    /// <summary>
    /// The block printed for a failed action: <c>start svc ran in 0.05 s</c>, then <c> > nodes: line</c> per group of
    /// identical output, <c> > nodes exited with N</c> per exit code (ascending), <c> > nodes has timeout</c>.
    /// <paramref name="errorsOnly"/> (upstream's default verbosity) keeps the nodes that did not exit 0 and drops
    /// the <c>exited with 0</c> line.
    /// </summary>
    public static string ActionBlock(ActionResult result, bool errorsOnly = true)
    {
        var text = new StringBuilder();
        text.Append(result.Action).Append(' ').Append(result.Service).Append(" ran in ")
            .Append(result.Duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)).Append(" s");
        IEnumerable<NodeResult> shown = errorsOnly ? result.Nodes.Where(n => n.Status != NodeStatus.Ok) : result.Nodes;
        // Groups in node set order of their first node (spec §6.4: ordered by node set), not arrival order.
        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string node in NodeSet.FromList(result.Nodes.Select(n => n.Node)))
            rank[node] = rank.Count;
        foreach (var group in shown.Where(n => n.Output.Length > 0).GroupBy(n => n.Output, StringComparer.Ordinal)
                     .Select(g => (Nodes: NodeSet.FromList(g.Select(n => n.Node)), Output: g.Key))
                     .OrderBy(g => rank.GetValueOrDefault(g.Nodes.First(), int.MaxValue)))
        {
            foreach (string line in group.Output.Split('\n'))
                text.Append("\n > ").Append(group.Nodes).Append(": ").Append(Visible(line));
        }
        foreach (var code in result.Nodes.Where(n => n.ExitCode is not null && !(errorsOnly && n.ExitCode == 0))
                     .GroupBy(n => n.ExitCode!.Value).OrderBy(g => g.Key))
            text.Append("\n > ").Append(NodeSet.FromList(code.Select(n => n.Node))).Append(" exited with ").Append(code.Key);
        var timedOut = result.Nodes.Where(n => n.Status == NodeStatus.Timeout).Select(n => n.Node).ToList();
        if (timedOut.Count > 0)
            text.Append("\n > ").Append(NodeSet.FromList(timedOut)).Append(" has timeout");
        // Beyond upstream: nodes the command never reached, with why (connection refused, bad key...).
        foreach (var (nodes, why) in NotReached(result))
            text.Append("\n > ").Append(nodes).Append(": ").Append(why);
        return text.ToString();
    }

    /// <summary>
    /// Why the failed nodes of <paramref name="result"/> failed, on one line: <c>compute05 exited with 1; admin[1-2]
    /// unreachable: Name or service not known</c>; empty when no node failed.
    /// </summary>
    public static string FailureReasons(ActionResult result)
    {
        var parts = new List<string>();
        foreach (var code in result.Nodes.Where(n => n.Status == NodeStatus.Failed && n.ExitCode is not null)
                     .GroupBy(n => n.ExitCode!.Value).OrderBy(g => g.Key))
            parts.Add($"{NodeSet.FromList(code.Select(n => n.Node))} exited with {code.Key}");
        var timedOut = result.Nodes.Where(n => n.Status == NodeStatus.Timeout).Select(n => n.Node).ToList();
        if (timedOut.Count > 0)
            parts.Add($"{NodeSet.FromList(timedOut)} has timeout");
        foreach (var (nodes, why) in NotReached(result))
            parts.Add($"{nodes} {why}");
        return string.Join("; ", parts);
    }

    /// <summary>Nodes whose command never completed for a transport reason or a stop, grouped by that reason.</summary>
    private static IEnumerable<(NodeSet Nodes, string Why)> NotReached(ActionResult result)
    {
        var notReached = result.Nodes.Where(n => n.Status is NodeStatus.Unreachable or NodeStatus.AuthenticationFailed
            or NodeStatus.HostKeyRejected or NodeStatus.Cancelled).ToList();
        if (notReached.Count == 0)
            return Array.Empty<(NodeSet, string)>();
        // In node set order of each group's first node, as the output groups.
        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string node in NodeSet.FromList(notReached.Select(n => n.Node)))
            rank[node] = rank.Count;
        return notReached.GroupBy(n => Why(n), StringComparer.Ordinal)
            .Select(g => (Nodes: NodeSet.FromList(g.Select(n => n.Node)), Why: g.Key))
            .OrderBy(g => rank.GetValueOrDefault(g.Nodes.First(), int.MaxValue))
            .ToList();
    }

    private static string Why(NodeResult node)
    {
        string status = node.Status switch
        {
            NodeStatus.Unreachable => "unreachable",
            NodeStatus.AuthenticationFailed => "authentication failed",
            NodeStatus.HostKeyRejected => "host key rejected",
            NodeStatus.Cancelled => "cancelled",
            NodeStatus.Ok or NodeStatus.Failed or NodeStatus.Timeout => node.Status.ToString(),
            _ => throw new ArgumentOutOfRangeException(nameof(node), node.Status, "Unknown node status."),
        };
        // One line whatever the transport said.
        string? reason = node.Reason?.ReplaceLineEndings(" ").Trim();
        return string.IsNullOrEmpty(reason) ? status : $"{status}: {reason}";
    }
}
