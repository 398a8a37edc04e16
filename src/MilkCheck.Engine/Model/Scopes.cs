using MilkCheck.Variables;

namespace MilkCheck.Model;

/// <summary>
/// Variable scopes over the model (spec §3.2): action → service → groups → root. Automatic variables come from
/// the entity; user variables are its <c>variables:</c> (plus, on the root, SELECTED_NODES, EXCLUDED_NODES and
/// -Define values).
/// </summary>
internal sealed class ScopeSet
{
    private readonly Dictionary<object, IVariableScope> _scopes = new(ReferenceEqualityComparer.Instance);
    private readonly IReadOnlyDictionary<string, object?> _rootExtras;

    /// <param name="rootExtras">Run-time root variables: SELECTED_NODES, EXCLUDED_NODES and -Define values.</param>
    public ScopeSet(IReadOnlyDictionary<string, object?>? rootExtras = null) =>
        _rootExtras = rootExtras ?? new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>The same model seen by a run: defines and node selections become root variables.</summary>
    public static ScopeSet ForRun(IReadOnlyDictionary<string, string> defines, string selectedNodes, string excludedNodes)
    {
        foreach (string name in defines.Keys)
            if (!IsDefinable(name))
                throw new ArgumentException(DefineRefusal(name), nameof(defines));
        var extras = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["SELECTED_NODES"] = selectedNodes,
            ["EXCLUDED_NODES"] = excludedNodes,
        };
        foreach (var (name, value) in defines)
            extras[name] = value;
        return new ScopeSet(extras);
    }

    /// <summary>A -Define name may be anything but the names MilkCheck sets itself (automatic variables, node selections).</summary>
    public static bool IsDefinable(string name) =>
        !ReservedVariables.IsReserved(name, isAction: false) && name is not ("ACTION" or "SELECTED_NODES" or "EXCLUDED_NODES");

    public static string DefineRefusal(string name, string option = "-Define") => $"{option} {name}=… names a variable MilkCheck sets itself: use another name.";

    public IVariableScope For(Entity entity)
    {
        if (!_scopes.TryGetValue(entity, out IVariableScope? scope))
            _scopes[entity] = scope = new EntityScope(this, entity);
        return scope;
    }

    public IVariableScope For(ActionDefinition action)
    {
        if (!_scopes.TryGetValue(action, out IVariableScope? scope))
            _scopes[action] = scope = new ActionScope(this, action);
        return scope;
    }

    /// <summary>Upstream prints unset values as Python's None and tags as a Python set.</summary>
    private static object? Automatic(string name, string shortName, PropertyBag properties, string? resolvedTarget)
    {
        switch (name.ToUpperInvariant())
        {
            case "NAME":
                return shortName;
            case "TARGET":
                return properties.Has("target") ? resolvedTarget ?? properties.Get("target") as string ?? "None" : "None";
            case "FANOUT":
                return properties.Get("fanout") ?? "None";
            case "TIMEOUT":
                return properties.Get("timeout") ?? "None";
            case "DESC":
                return properties.Get("desc") ?? "None";
            case "TAGS":
                var tags = properties.Get("tags") as IReadOnlyList<object?>;
                return tags is null || tags.Count == 0 ? "set()" : "{" + string.Join(", ", tags.Select(t => $"'{t}'")) + "}";
            default:
                return Missing;
        }
    }

    private static readonly object Missing = new();

    private sealed class EntityScope : IVariableScope
    {
        private readonly ScopeSet _set;
        private readonly Entity _entity;

        public EntityScope(ScopeSet set, Entity entity)
        {
            _set = set;
            _entity = entity;
        }

        public IVariableScope? Parent => _entity.Parent is null ? null : _set.For(_entity.Parent);

        public bool TryGetUserVariable(string name, out object? value)
        {
            // -Define values replace file-level variables of the same name (spec §3.6).
            if (_entity is GroupEntity { IsRoot: true } && _set._rootExtras.TryGetValue(name, out value))
                return true;
            if (_entity.Variables.TryGetValue(name, out var variable))
            {
                value = variable.Value;
                return true;
            }
            value = null;
            return false;
        }

        public bool TryGetAutomaticVariable(string name, out object? value)
        {
            if (string.Equals(name, "SERVICE", StringComparison.OrdinalIgnoreCase))
            {
                value = _entity.Name;
                return true;
            }
            value = Automatic(name, _entity.Name, _entity.Properties, _entity.ResolvedTarget);
            return !ReferenceEquals(value, Missing);
        }

        public string Describe() => _entity is GroupEntity { IsRoot: true } ? "the file-level variables"
            : $"{(_entity.Kind == EntityKind.Group ? "group" : "service")} '{_entity.FullName}'";
    }

    private sealed class ActionScope : IVariableScope
    {
        private readonly ScopeSet _set;
        private readonly ActionDefinition _action;

        public ActionScope(ScopeSet set, ActionDefinition action)
        {
            _set = set;
            _action = action;
        }

        public IVariableScope? Parent => _set.For(_action.Service);

        public bool TryGetUserVariable(string name, out object? value)
        {
            bool found = _action.Variables.TryGetValue(name, out var variable);
            value = variable.Value;
            return found;
        }

        public bool TryGetAutomaticVariable(string name, out object? value)
        {
            if (string.Equals(name, "ACTION", StringComparison.OrdinalIgnoreCase))
            {
                value = _action.Name;
                return true;
            }
            value = Automatic(name, _action.Name, _action.Properties, _action.ResolvedTarget);
            return !ReferenceEquals(value, Missing);
        }

        public string Describe() => $"action '{_action.Service.FullName}.{_action.Name}'";
    }
}

/// <summary>Names an entity may not declare as its own user variables (spec §3.2).</summary>
internal static class ReservedVariables
{
    private static readonly string[] Common = { "NAME", "FANOUT", "TIMEOUT", "TARGET", "DESC", "TAGS" };

    public static bool IsReserved(string name, bool isAction) =>
        Common.Contains(name, StringComparer.Ordinal) || name == (isAction ? "ACTION" : "SERVICE");
}
