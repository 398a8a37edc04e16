namespace MilkCheck;

/// <summary>What an entity is.</summary>
public enum EntityKind
{
    Service,
    Group,
}

/// <summary>The four kinds of dependency edges (upstream require, require_weak/after/before, filter/require_filter, check).</summary>
public enum DependencyKind
{
    /// <summary>Strong: the dependent needs the dependency to succeed.</summary>
    Require,
    /// <summary>Ordering only (upstream <c>require_weak</c>, <c>after</c>, <c>before</c>).</summary>
    RequireWeak,
    /// <summary>The dependency's failed nodes are removed from the dependent's target.</summary>
    Filter,
    /// <summary>Strong, and runs the dependency's <c>status</c> action.</summary>
    Check,
}

/// <summary>One dependency of a service or group, by full name.</summary>
public sealed record DependencyInfo(string Name, DependencyKind Kind)
{
    /// <summary><c>network (Require)</c>.</summary>
    public override string ToString() => $"{Name} ({Kind})";
}

/// <summary>A service or group of a configuration, as <c>Get-MilkCheckService</c> lists it.</summary>
public sealed record ServiceInfo(
    string Name,
    string Group,
    EntityKind Kind,
    string? Description,
    string Target,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Actions,
    IReadOnlyList<DependencyInfo> Dependencies,
    string File,
    int Line)
{
    /// <summary>The full (dotted) name: one short line.</summary>
    public override string ToString() => Name;
}
