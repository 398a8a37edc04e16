using System.Text;
using MilkCheck.Model;

namespace MilkCheck.Graph;

/// <summary>
/// Writes the dependency graph of a loaded configuration (upstream §5.6, <c>milkcheck -g</c>).
/// </summary>
/// <remarks>
/// <para>Which entities: the top-level entities sorted by name (ordinal), or <c>services</c> (full names, dotted
/// members allowed) in the given order; groups are drawn with their members, recursively, in definition order.</para>
/// <para>Exclusion (<c>-X</c>): an excluded entity is hidden together with every entity that depends on it,
/// transitively, and with everything it contains (a member of a hidden group is hidden too, so its dependents
/// disappear as well; upstream only checks the member's own name and dependencies, which leaves dangling edges
/// towards a member of an excluded group). Edges towards hidden entities are never drawn.</para>
/// <para>Reversed (actions listed in <c>reverse_actions</c>, e.g. <c>stop</c>, §4.9): upstream has no reversed graph
/// output, so this is our choice: every edge is drawn in execution order, from the dependent's point of view turned
/// around, i.e. <c>dst -> src</c>. The edge keeps its style (weak stays dashed, check stays solid) and stays listed
/// under its dependent; in DOT, <c>ltail</c> names the cluster of the new tail (the original destination when it is a
/// group) and <c>lhead</c> the cluster of the new head (the original source when it is a group), attributes keeping
/// the order style, ltail, lhead.</para>
/// </remarks>
internal static class GraphWriter
{
    /// <summary>
    /// The text of upstream's <c>-g</c>: for DOT, the graph ending with <c>"}\n"</c> (upstream's print adds one more
    /// newline; writing the string from PowerShell does the same). Mermaid text ends with a single newline.
    /// </summary>
    /// <exception cref="ArgumentException">A name in <paramref name="services"/> is not an entity of the model.</exception>
    public static string Write(
        ServiceModel model,
        GraphFormat format,
        IReadOnlyList<string>? services = null,
        IReadOnlyCollection<string>? excluded = null,
        bool reversed = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        IReadOnlyList<Entity> roots = SelectRoots(model, services);
        var hidden = new HiddenSet(excluded);
        return format switch
        {
            GraphFormat.Dot => new DotWriter(hidden, reversed).Write(roots),
            GraphFormat.Mermaid => new MermaidWriter(hidden, reversed).Write(roots),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown graph format."),
        };
    }

    private static IReadOnlyList<Entity> SelectRoots(ServiceModel model, IReadOnlyList<string>? services)
    {
        if (services is null)
            return model.Root.Members.OrderBy(e => e.Name, StringComparer.Ordinal).ToArray();
        var roots = new List<Entity>(services.Count);
        foreach (string name in services)
        {
            if (!model.ByFullName.TryGetValue(name, out Entity? entity))
                throw new ArgumentException($"Unknown service '{name}'.", nameof(services));
            roots.Add(entity);
        }
        return roots;
    }

    /// <summary>A drawable edge: <see cref="From"/> and <see cref="To"/> are already turned around when reversed.</summary>
    private readonly record struct Edge(Entity From, Entity To, DependencyKind Kind)
    {
        public bool IsWeak => Kind is DependencyKind.RequireWeak or DependencyKind.Filter;
    }

    /// <summary>The edges drawn for <paramref name="entity"/>, in dependency creation order.</summary>
    private static IEnumerable<Edge> EdgesOf(Entity entity, HiddenSet hidden, bool reversed)
    {
        foreach (Dependency dependency in entity.Dependencies)
        {
            if (dependency.Target is not { } target || hidden.IsHidden(target))
                continue;
            yield return reversed
                ? new Edge(target, entity, dependency.Kind)
                : new Edge(entity, target, dependency.Kind);
        }
    }

    /// <summary>Excluded entities, their dependents (transitively) and their contents, memoized.</summary>
    private sealed class HiddenSet
    {
        private readonly HashSet<string> _excluded;
        private readonly Dictionary<Entity, bool> _known = new(ReferenceEqualityComparer.Instance);

        public HiddenSet(IReadOnlyCollection<string>? excluded) =>
            _excluded = excluded is null ? new(StringComparer.Ordinal) : new(excluded, StringComparer.Ordinal);

        public bool IsHidden(Entity entity)
        {
            if (_excluded.Count == 0)
                return false;
            if (_known.TryGetValue(entity, out bool known))
                return known;
            // Provisional answer while computing, so a (loader-reported) cycle cannot recurse forever.
            _known[entity] = false;
            bool hidden = _excluded.Contains(entity.FullName)
                || (entity.Parent is { IsRoot: false } parent && IsHidden(parent))
                || entity.Dependencies.Any(d => d.Target is { } target && IsHidden(target));
            _known[entity] = hidden;
            return hidden;
        }
    }

    private sealed class DotWriter
    {
        private readonly HiddenSet _hidden;
        private readonly bool _reversed;
        private readonly StringBuilder _text = new();

        public DotWriter(HiddenSet hidden, bool reversed)
        {
            _hidden = hidden;
            _reversed = reversed;
        }

        public string Write(IReadOnlyList<Entity> roots)
        {
            Line("digraph dependency {");
            Line("compound=true;");
            Line("node [style=filled];");
            foreach (Entity entity in roots)
                WriteEntity(entity);
            Line("}");
            // Upstream's text ends with "}\n" and its print() adds the empty last line; here PowerShell adds that
            // newline when the string is written (Set-Content, the console), so the bytes end up the same.
            return _text.ToString();
        }

        private void WriteEntity(Entity entity)
        {
            if (_hidden.IsHidden(entity))
                return;
            if (entity is GroupEntity group)
            {
                Line($"subgraph \"cluster_{group.FullName}\" {{");
                Line($"label=\"{group.FullName}\";");
                Line("style=rounded;");
                Line("node [style=filled];");
                Line($"\"{Hook(group)}\" [style=invis];");
                foreach (Entity member in group.Members)
                    WriteEntity(member);
                Line("}");
                foreach (Edge edge in EdgesOf(group, _hidden, _reversed))
                    WriteEdge(edge);
                return;
            }

            bool any = false;
            foreach (Edge edge in EdgesOf(entity, _hidden, _reversed))
            {
                WriteEdge(edge);
                any = true;
            }
            if (!any)
                Line($"\"{entity.FullName}\";");
        }

        private void WriteEdge(Edge edge)
        {
            var attributes = new List<string>(3);
            if (edge.IsWeak)
                attributes.Add("style=dashed");
            if (edge.From is GroupEntity tail)
                attributes.Add($"ltail=\"cluster_{tail.FullName}\"");
            if (edge.To is GroupEntity head)
                attributes.Add($"lhead=\"cluster_{head.FullName}\"");
            string suffix = attributes.Count == 0 ? string.Empty : " [" + string.Join(",", attributes) + "]";
            Line($"\"{Endpoint(edge.From)}\" -> \"{Endpoint(edge.To)}\"{suffix};");
        }

        private static string Hook(GroupEntity group) => group.FullName + ".__hook";

        private static string Endpoint(Entity entity) => entity is GroupEntity group ? Hook(group) : entity.FullName;

        private void Line(string line) => _text.Append(line).Append('\n');
    }

    /// <summary>
    /// Mermaid flowchart: services are nodes <c>n0["full.name"]</c>, groups subgraphs <c>g0["full.name"]</c>, ids
    /// numbered in order of appearance. All edges come after all declarations, at top level, so Mermaid never moves
    /// a node into the subgraph where an edge happens to be written. Targets not drawn (outside a service list) are
    /// declared as plain nodes before the edges, so no edge shows a bare id.
    /// </summary>
    private sealed class MermaidWriter
    {
        private readonly HiddenSet _hidden;
        private readonly bool _reversed;
        private readonly StringBuilder _text = new();
        private readonly Dictionary<Entity, string> _ids = new(ReferenceEqualityComparer.Instance);
        private readonly List<Edge> _edges = new();
        private int _nodes;
        private int _groups;

        public MermaidWriter(HiddenSet hidden, bool reversed)
        {
            _hidden = hidden;
            _reversed = reversed;
        }

        public string Write(IReadOnlyList<Entity> roots)
        {
            Line(0, "flowchart LR");
            foreach (Entity entity in roots)
                WriteEntity(entity, 1);
            foreach (Edge edge in _edges)
            {
                foreach (Entity end in new[] { edge.From, edge.To })
                {
                    if (!_ids.ContainsKey(end))
                        Line(1, $"{NewNodeId(end)}[\"{Label(end)}\"]");
                }
            }
            foreach (Edge edge in _edges)
            {
                string arrow = edge.Kind switch
                {
                    DependencyKind.Check => "-- check -->",
                    _ when edge.IsWeak => "-.->",
                    _ => "-->",
                };
                Line(1, $"{_ids[edge.From]} {arrow} {_ids[edge.To]}");
            }
            return _text.ToString();
        }

        private void WriteEntity(Entity entity, int depth)
        {
            if (_hidden.IsHidden(entity) || _ids.ContainsKey(entity))
                return;
            if (entity is GroupEntity group)
            {
                string id = "g" + _groups++.ToString(System.Globalization.CultureInfo.InvariantCulture);
                _ids[group] = id;
                Line(depth, $"subgraph {id}[\"{Label(group)}\"]");
                foreach (Entity member in group.Members)
                    WriteEntity(member, depth + 1);
                Line(depth, "end");
            }
            else
            {
                Line(depth, $"{NewNodeId(entity)}[\"{Label(entity)}\"]");
            }
            _edges.AddRange(EdgesOf(entity, _hidden, _reversed));
        }

        private string NewNodeId(Entity entity)
        {
            string id = "n" + _nodes++.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _ids[entity] = id;
            return id;
        }

        /// <summary>Quoted-label safe text: Mermaid entity codes for the characters that end or confuse a label.</summary>
        private static string Label(Entity entity) => entity.FullName
            .Replace("&", "#amp;", StringComparison.Ordinal)
            .Replace("\"", "#quot;", StringComparison.Ordinal)
            .Replace("<", "#lt;", StringComparison.Ordinal)
            .Replace(">", "#gt;", StringComparison.Ordinal);

        private void Line(int depth, string line) => _text.Append(' ', depth * 4).Append(line).Append('\n');
    }
}
