using System.Text;
using MilkCheck.NodeSets;

namespace MilkCheck.Cli;

/// <summary>
/// The actions of a run that are running, as upstream's action manager knows them (spec §5.4.6, §5.4.7): from the
/// moment an attempt is scheduled (its delay included) until its last node is over; for each, the nodes not over
/// yet. Fed from the engine's threads, read by the display and the interactive status.
/// </summary>
internal sealed class RunningActions
{
    private readonly object _lock = new();
    private readonly List<Entry> _entries = new();
    private readonly bool _enabled;

    /// <param name="enabled">False when nothing will show them (no terminal): nothing is kept, a cron run of
    /// thousands of nodes pays nothing for them.</param>
    public RunningActions(bool enabled) => _enabled = enabled;

    private sealed class Entry
    {
        public required string Service { get; init; }
        public required string ShortName { get; init; }
        public required string Action { get; init; }
        public TimeSpan Delay { get; set; }
        public int Tries { get; set; }
        public bool Local { get; set; }
        public HashSet<string> Pending { get; } = new(StringComparer.Ordinal);
        public bool Over { get; set; }
    }

    /// <summary>An attempt is scheduled: it waits <paramref name="delay"/> first (zero: it starts now).</summary>
    /// <param name="tries">Attempts that already ran (0 before the first).</param>
    public void Scheduled(string service, string action, string target, TimeSpan delay, int tries)
    {
        if (!_enabled)
            return;
        lock (_lock)
        {
            Entry entry = Find(service, action) ?? Add(service, action);
            entry.Delay = delay;
            entry.Tries = tries;
            entry.Over = false;
            entry.Pending.Clear();
            entry.Local = target.Length == 0;
            if (!entry.Local)
            {
                try
                {
                    entry.Pending.UnionWith(NodeSet.Parse(target));
                }
                catch (NodeSetParseException)
                {
                    entry.Pending.Add(target);
                }
            }
        }
    }

    /// <summary>One node's command is over (or the local command).</summary>
    public void NodeOver(string service, string action, string node)
    {
        if (!_enabled)
            return;
        lock (_lock)
        {
            if (Find(service, action) is not { } entry)
                return;
            if (entry.Local)
                entry.Over = true;
            else if (entry.Pending.Remove(node) && entry.Pending.Count == 0)
                entry.Over = true;
        }
    }

    /// <summary>The attempt's nodes are all over (a retry follows, or the action is final).</summary>
    public void AttemptOver(string service, string action)
    {
        lock (_lock)
        {
            if (Find(service, action) is { } entry)
                entry.Over = true;
        }
    }

    /// <summary>The entity is final: none of its actions runs any more.</summary>
    public void EntityOver(string service)
    {
        lock (_lock)
            _entries.RemoveAll(e => e.Service == service || e.Service.StartsWith(service + ".", StringComparison.Ordinal));
    }

    /// <summary>The action's current attempt was scheduled with a delay (its start is the end of that wait).</summary>
    public bool WaitedDelay(string service, string action)
    {
        lock (_lock)
            return Find(service, action) is { Delay.Ticks: > 0 };
    }

    /// <summary>The short names of the services with a running action (the running-tasks line).</summary>
    public IReadOnlyCollection<string> Services()
    {
        lock (_lock)
            return _entries.Where(e => !e.Over).Select(e => e.ShortName).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// Upstream's answer to Enter on an interactive terminal: a title, then one line per running action with the
    /// nodes it still waits for (their count when more than one) and its first delay while it waits it, each cut
    /// with <c>...</c> to fit <paramref name="width"/>.
    /// </summary>
    public string Status(int width, Colours colours)
    {
        var text = new StringBuilder(colours.Paint("\nActions in progress\n", Colours.Magenta));
        lock (_lock)
        {
            foreach (Entry entry in _entries.Where(e => !e.Over))
            {
                string target = entry.Local || entry.Pending.Count == 0 ? "localhost" : NodeSet.FromList(entry.Pending).ToString();
                string count = !entry.Local && entry.Pending.Count > 1 ? $" ({entry.Pending.Count})" : string.Empty;
                string delayed = entry.Tries == 0 && entry.Delay > TimeSpan.Zero
                    ? $" (delayed for {TextPrinter.Seconds(entry.Delay)}s)"
                    : string.Empty;
                string label = entry.Service + "." + entry.Action;
                int nameLength = label.Length + 7; // " > " + label + " on "
                int maxLength = width - " > service... on node...".Length;
                if (nameLength > maxLength)
                {
                    label = label[..Math.Clamp(maxLength, 0, label.Length)] + "...";
                    nameLength = label.Length + 7;
                }
                if (nameLength + target.Length + count.Length + delayed.Length > width)
                    target = target[..Math.Clamp(width - nameLength - 4 - count.Length - delayed.Length, 0, target.Length)] + "...";
                text.Append(" > ").Append(colours.Paint(label, Colours.Yellow)).Append(colours.Paint(delayed, Colours.Yellow))
                    .Append(" on ").Append(colours.Paint(target, Colours.Cyan)).Append(count).Append('\n');
            }
        }
        return text.ToString();
    }

    /// <summary>Names folded as a node set (<c>I[1-2]</c>), as upstream shows them; listed when they are not node names.</summary>
    public static string Fold(IEnumerable<string> names)
    {
        try
        {
            return NodeSet.FromList(names).ToString();
        }
        catch (NodeSetParseException)
        {
            return string.Join(",", names.Order(StringComparer.Ordinal));
        }
    }

    private Entry? Find(string service, string action) => _entries.Find(e => e.Service == service && e.Action == action);

    private Entry Add(string service, string action)
    {
        var entry = new Entry { Service = service, ShortName = service[(service.LastIndexOf('.') + 1)..], Action = action };
        _entries.Add(entry);
        return entry;
    }
}
