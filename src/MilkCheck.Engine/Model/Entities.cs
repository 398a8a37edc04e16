using MilkCheck.Configuration;

namespace MilkCheck.Model;

/// <summary>
/// The properties that inherit group → member → action (desc, target, mode, remote, fanout, timeout, errors,
/// warnings, delay, retry, tags), kept as the raw YAML values: numbers may be variable references resolved
/// just before a run, as upstream.
/// </summary>
internal sealed class PropertyBag
{
    private readonly Dictionary<string, (object? Value, SourceLocation Location)> _values = new(StringComparer.Ordinal);

    public static readonly string[] Names =
        { "desc", "target", "mode", "remote", "fanout", "timeout", "errors", "warnings", "delay", "retry", "tags" };

    public bool Has(string name) => _values.ContainsKey(name);

    public object? Get(string name) => _values.TryGetValue(name, out var entry) ? entry.Value : null;

    public SourceLocation? LocationOf(string name) => _values.TryGetValue(name, out var entry) ? entry.Location : null;

    public void Set(string name, object? value, SourceLocation location) => _values[name] = (value, location);

    public IEnumerable<string> Keys => _values.Keys;

    /// <summary>Upstream §2.6: which parent values a child takes.</summary>
    public void InheritFrom(PropertyBag parent)
    {
        foreach (string name in parent.Keys)
        {
            object? parentValue = parent.Get(name);
            SourceLocation location = parent.LocationOf(name)!.Value;
            switch (name)
            {
                case "target":
                case "timeout":
                case "fanout":
                case "desc":
                    // Taken when the child has no value at all ("" and 0 are kept).
                    if (!Has(name) || Get(name) is null)
                        Set(name, parentValue, location);
                    break;
                case "errors":
                case "warnings":
                case "delay":
                case "retry":
                case "mode":
                case "tags":
                    // Upstream quirk kept: a false-y child value (0, "", empty list) takes the parent's.
                    if (!Has(name) || IsFalsy(Get(name)))
                        Set(name, parentValue, location);
                    break;
                case "remote":
                    // Combined: one false anywhere above forces false.
                    bool child = Get(name) is not bool b || b;
                    bool inherited = parentValue is not bool p || p;
                    if (Has(name) || parentValue is bool)
                        Set(name, child && inherited, Has(name) ? LocationOf(name)!.Value : location);
                    break;
                default:
                    throw new InvalidOperationException($"Unknown inherited property '{name}'.");
            }
        }
    }

    private static bool IsFalsy(object? value) => value switch
    {
        null => true,
        long l => l == 0,
        double d => d == 0,
        string s => s.Length == 0,
        bool b => !b,
        IReadOnlyList<object?> list => list.Count == 0,
        _ => false,
    };
}

/// <summary>A dependency edge as written, resolved to its entity after loading.</summary>
internal sealed class Dependency
{
    public Dependency(string name, DependencyKind kind, SourceLocation location)
    {
        Name = name;
        Kind = kind;
        Location = location;
    }

    public string Name { get; }
    public DependencyKind Kind { get; }
    public SourceLocation Location { get; }
    public Entity? Target { get; set; }
}

/// <summary>A service or a group. Built by the loader, never changed after <see cref="ServiceModel"/> exists.</summary>
internal abstract class Entity
{
    protected Entity(string name, GroupEntity? parent, SourceLocation location)
    {
        Name = name;
        Parent = parent;
        Location = location;
        FullName = parent is null || parent.IsRoot ? name : parent.FullName + "." + name;
    }

    public string Name { get; }
    public string FullName { get; }
    public GroupEntity? Parent { get; }
    public SourceLocation Location { get; }
    public abstract EntityKind Kind { get; }
    public PropertyBag Properties { get; } = new();
    public Dictionary<string, (object? Value, SourceLocation Location)> Variables { get; } = new(StringComparer.Ordinal);
    public List<Dependency> Dependencies { get; } = new();

    /// <summary>Full name of the enclosing group, empty for top-level entities.</summary>
    public string GroupName => Parent is null || Parent.IsRoot ? string.Empty : Parent.FullName;

    /// <summary>The description with its variables resolved (commands in it are not run when listing).</summary>
    public string? Description => ResolvedDescription ?? Properties.Get("desc") as string;

    public string? ResolvedDescription { get; set; }

    /// <summary>The target after variable substitution, folded; null while unresolved or when local.</summary>
    public string? ResolvedTarget { get; set; }

    public string? TargetText => ResolvedTarget ?? Properties.Get("target") switch
    {
        null => null,
        string s => s,
        object other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture),
    };

    public IReadOnlyList<string> Tags => Properties.Get("tags") switch
    {
        IReadOnlyList<object?> list => list.Select(t => t?.ToString() ?? string.Empty).ToArray(),
        string s => new[] { s },
        _ => Array.Empty<string>(),
    };
}

internal sealed class ServiceEntity : Entity
{
    public ServiceEntity(string name, GroupEntity parent, SourceLocation location) : base(name, parent, location) { }

    public override EntityKind Kind => EntityKind.Service;

    /// <summary>Actions by name, in definition order.</summary>
    public List<ActionDefinition> Actions { get; } = new();
}

internal sealed class GroupEntity : Entity
{
    public GroupEntity(string name, GroupEntity? parent, SourceLocation location) : base(name, parent, location) { }

    public override EntityKind Kind => EntityKind.Group;

    /// <summary>The implicit root group (upstream's manager, <c>%SERVICE</c> = MAIN).</summary>
    public bool IsRoot => Parent is null;

    /// <summary>Members in definition order.</summary>
    public List<Entity> Members { get; } = new();
}

/// <summary>One named action of a service.</summary>
internal sealed class ActionDefinition
{
    public ActionDefinition(string name, ServiceEntity service, SourceLocation location)
    {
        Name = name;
        Service = service;
        Location = location;
    }

    public string Name { get; }
    public ServiceEntity Service { get; }
    public SourceLocation Location { get; }
    public object? Command { get; set; }

    /// <summary>The action's own target after substitution, folded.</summary>
    public string? ResolvedTarget { get; set; }
    public SourceLocation? CommandLocation { get; set; }
    public List<(string Name, SourceLocation Location)> Checks { get; } = new();
    public PropertyBag Properties { get; } = new();
    public Dictionary<string, (object? Value, SourceLocation Location)> Variables { get; } = new(StringComparer.Ordinal);
}

/// <summary>A loaded configuration: the entity tree, the global variables and every problem found.</summary>
internal sealed class ServiceModel
{
    public ServiceModel(GroupEntity root, IReadOnlyList<Entity> entities, IReadOnlyList<ConfigDiagnostic> diagnostics, IReadOnlyList<string> files)
    {
        Root = root;
        Entities = entities;
        Diagnostics = diagnostics;
        Files = files;
        ByFullName = entities.GroupBy(e => e.FullName, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
    }

    public GroupEntity Root { get; }

    /// <summary>Every service and group, members included, in definition order (depth first).</summary>
    public IReadOnlyList<Entity> Entities { get; }

    public IReadOnlyDictionary<string, Entity> ByFullName { get; }

    public IReadOnlyList<ConfigDiagnostic> Diagnostics { get; }

    public IReadOnlyList<string> Files { get; }

    /// <summary>
    /// Targets as written, by the location of their <c>target</c> key, where resolution changed them (variables,
    /// <c>%(...)</c>, <c>@groups</c>): messages about a node name say where it came from.
    /// </summary>
    public IReadOnlyDictionary<SourceLocation, string> WrittenTargets { get; init; } = new Dictionary<SourceLocation, string>();
}
