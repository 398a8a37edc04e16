using System.Globalization;
using System.Text.RegularExpressions;
using MilkCheck.Model;
using MilkCheck.NodeSets;
using MilkCheck.Variables;
using YamlDotNet.Core;

namespace MilkCheck.Configuration;

/// <summary>
/// Loads a MilkCheck configuration directory (every <c>*.yaml</c>/<c>*.yml</c> directly in it, sorted by name)
/// or a single file into a <see cref="ServiceModel"/>, collecting every problem as a <see cref="ConfigDiagnostic"/>
/// instead of stopping at the first.
/// </summary>
internal sealed partial class ServiceConfigurationLoader
{
    private static readonly HashSet<string> EntityKeys = new(StringComparer.Ordinal)
    {
        "desc", "target", "mode", "remote", "fanout", "timeout", "errors", "warnings", "delay", "retry", "tags",
        "variables", "require", "require_weak", "after", "before", "filter", "require_filter", "check", "services", "actions",
    };

    private static readonly HashSet<string> ActionKeys = new(StringComparer.Ordinal)
    {
        "cmd", "check", "desc", "target", "mode", "remote", "fanout", "timeout", "errors", "warnings", "delay", "retry",
        "tags", "variables",
    };

    private static readonly HashSet<string> DependencyKeys = new(StringComparer.Ordinal)
    {
        "require", "require_weak", "after", "before", "filter", "require_filter",
    };

    private readonly List<ConfigDiagnostic> _diagnostics = new();
    private readonly HashSet<(SourceLocation, string, DiagnosticSeverity)> _reported = new();
    private readonly List<Entity> _entities = new();
    private readonly Dictionary<SourceLocation, string> _writtenTargets = new();
    private readonly ICommandSubstitution? _commands;
    private readonly Func<GroupResolver> _groups;
    // Targets and dependency lists resolve at load, before -Define (spec §3.5, §3.6): they never see run variables.
    private readonly ScopeSet _scopes = new();
    // Everything resolved just before a run sees SELECTED_NODES, EXCLUDED_NODES and the -Define names of the run.
    private readonly ScopeSet _runScopes;
    private readonly bool _undefinedAtRunIsError;
    private readonly OptionNames _names;
    private readonly ISubstitutionLog? _substitutions;
    private readonly CancellationToken _cancellation;
    private readonly int _maxNodes;
    // Each group's members by name: looking them up in Members made loading quadratic in the number of services.
    private readonly Dictionary<GroupEntity, Dictionary<string, Entity>> _members = new(ReferenceEqualityComparer.Instance);
    private GroupEntity? _root;

    private ServiceConfigurationLoader(ICommandSubstitution? commands, Func<GroupResolver> groups, int maxNodes, LoadOptions options)
    {
        _commands = commands;
        _groups = groups;
        _maxNodes = maxNodes;
        _undefinedAtRunIsError = options.UndefinedRunVariableIsError;
        _names = options.Names;
        _substitutions = options.Substitutions;
        _cancellation = options.Cancellation;
        _runScopes = ScopeSet.ForRun(
            options.Defines.Where(d => ScopeSet.IsDefinable(d.Key)).ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal),
            selectedNodes: string.Empty, excludedNodes: string.Empty);
    }

    /// <summary>Loads <paramref name="path"/>, a directory or a single YAML file.</summary>
    /// <param name="commands">Runs <c>%(...)</c> in targets and dependency lists at load time, as upstream; null
    /// never runs anything (Test-MilkCheckConfig).</param>
    /// <param name="groups">Node groups for <c>@group</c> targets, asked for only when a target uses them.</param>
    /// <param name="maxNodes">Most nodes a target or a name pattern may hold (milkcheck.conf's <c>max_nodes</c>).</param>
    /// <param name="options">The -Define names of the run and how to report a run-time reference nothing defines.</param>
    public static ServiceModel Load(string path, ICommandSubstitution? commands = null, Func<GroupResolver>? groups = null,
        int maxNodes = GlobalConfiguration.DefaultMaxNodes, LoadOptions? options = null)
    {
        var loader = new ServiceConfigurationLoader(commands, groups ?? (() => GroupResolver.None), maxNodes, options ?? LoadOptions.Default);
        return loader.LoadPath(path);
    }

    private ServiceModel LoadPath(string path)
    {
        var files = new List<string>();
        if (Directory.Exists(path))
        {
            files.AddRange(Directory.EnumerateFiles(path)
                .Where(f => YamlFileName().IsMatch(Path.GetFileName(f)))
                .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal));
        }
        else if (File.Exists(path))
        {
            files.Add(path);
        }
        else
        {
            Error(new SourceLocation(path, 0, 0), ErrorIds.Config.NotFound,
                $"Configuration '{path}' does not exist: give {_names.Path} a directory of *.yaml files or a YAML file.");
        }

        // Upstream merges all documents into one services mapping and one variables mapping, last wins.
        var services = new List<KeyValuePair<YamlTreeNode, YamlTreeNode>>();
        var variables = new List<KeyValuePair<YamlTreeNode, YamlTreeNode>>();
        foreach (string file in files)
        {
            List<YamlTreeNode> documents;
            try
            {
                using var reader = new StreamReader(file);
                documents = YamlTreeReader.ReadDocuments(file, reader);
            }
            catch (YamlLimitException e)
            {
                Error(new SourceLocation(file, (int)e.Start.Line, (int)e.Start.Column), e.ErrorId, e.Message);
                continue;
            }
            catch (YamlException e)
            {
                Error(new SourceLocation(file, (int)e.Start.Line, (int)e.Start.Column), ErrorIds.Config.YamlSyntax,
                    $"YAML syntax error: {e.Message} (fix the YAML at this position)");
                continue;
            }
            foreach (YamlTreeNode document in documents)
                ReadDocument(document, services, variables);
        }

        var root = _root = new GroupEntity("MAIN", null, new SourceLocation(files.FirstOrDefault() ?? path, 0, 0));
        foreach (var (name, value) in LastWins(variables, "variable"))
        {
            if (name.Value is "SELECTED_NODES" or "EXCLUDED_NODES")
                Error(name.Location, ErrorIds.Config.ReservedVariable, $"'{name.Value}' is set by MilkCheck from {_names.Node}/{_names.ExcludeNode} and cannot be declared: rename the variable.");
            else if (ReservedVariables.IsReserved(name.Value ?? string.Empty, isAction: false))
                Error(name.Location, ErrorIds.Config.ReservedVariable, $"{name.Value} is a reserved variable name: rename the variable.");
            else
                root.Variables[name.Value!] = (ToValue(value), value.Location);
        }
        CreateMembers(root, LastWins(services, "service"));
        ExpandVariableDependencies();
        ResolveDependencies();
        ResolveTargets();
        Inherit(root);
        DetectCycles();
        ValidateRunResolution();
        return new ServiceModel(root, _entities, _diagnostics, files) { WrittenTargets = _writtenTargets };
    }

    [GeneratedRegex(@"\.ya?ml$", RegexOptions.CultureInvariant)]
    private static partial Regex YamlFileName();

    private void ReadDocument(YamlTreeNode document, List<KeyValuePair<YamlTreeNode, YamlTreeNode>> services,
        List<KeyValuePair<YamlTreeNode, YamlTreeNode>> variables)
    {
        if (document.Kind != YamlKind.Mapping)
        {
            Error(document.Location, ErrorIds.Config.BadRule, $"A configuration document must be a mapping with 'services:' and 'variables:', not {document.Describe()}.");
            return;
        }
        foreach (var (key, value) in document.Pairs)
        {
            switch (key.Value)
            {
                case "services":
                    if (RequireMapping(value, "services"))
                        services.AddRange(value.Pairs);
                    break;
                case "variables":
                    if (RequireMapping(value, "variables"))
                        variables.AddRange(value.Pairs);
                    break;
                case "service":
                    // Legacy form: one definition carrying its own name.
                    if (!RequireMapping(value, "service"))
                        break;
                    var name = value.Pairs.LastOrDefault(p => p.Key.Value == "name");
                    if (name.Key is null || name.Value.Kind != YamlKind.Scalar || string.IsNullOrWhiteSpace(name.Value.Value))
                    {
                        Error(value.Location, ErrorIds.Config.WrongType, "A legacy 'service:' definition needs a 'name:' key (or use 'services: { <name>: ... }').");
                        break;
                    }
                    var rest = new YamlTreeNode(YamlKind.Mapping, value.Location);
                    rest.Pairs.AddRange(value.Pairs.Where(p => p.Key.Value != "name"));
                    services.Add(new(name.Value, rest));
                    break;
                default:
                    Error(key.Location, ErrorIds.Config.BadRule, $"Bad rule '{key.Value}': a configuration file has only 'services:', 'variables:' (or the legacy 'service:') at its top level.");
                    break;
            }
        }
    }

    /// <summary>Upstream's shallow merge: a later definition replaces an earlier one entirely (with a warning here).</summary>
    private IEnumerable<(YamlTreeNode Key, YamlTreeNode Value)> LastWins(List<KeyValuePair<YamlTreeNode, YamlTreeNode>> pairs, string what)
    {
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < pairs.Count; i++)
        {
            string name = pairs[i].Key.Value ?? string.Empty;
            if (last.TryGetValue(name, out int earlier))
            {
                Warning(pairs[i].Key.Location, ErrorIds.Config.DuplicateService,
                    $"The {what} '{name}' is defined again: this definition replaces the one at {pairs[earlier].Key.Location} entirely (as upstream, last wins). Rename one of them or remove the older one.");
            }
            last[name] = i;
        }
        for (int i = 0; i < pairs.Count; i++)
            if (last[pairs[i].Key.Value ?? string.Empty] == i)
                yield return (pairs[i].Key, pairs[i].Value);
    }

    // ---- entities -----------------------------------------------------------------------------------

    private void CreateMembers(GroupEntity group, IEnumerable<(YamlTreeNode Key, YamlTreeNode Value)> definitions)
    {
        foreach (var (key, definition) in definitions)
        {
            foreach (string name in ExpandNamePattern(key))
            {
                if (definition.Kind != YamlKind.Mapping)
                {
                    Error(definition.Location, ErrorIds.Config.WrongType, $"The definition of '{name}' must be a mapping (desc, target, actions…), not {definition.Describe()}.");
                    continue;
                }
                bool isGroup = definition.Pairs.Any(p => p.Key.Value == "services");
                Entity entity = isGroup
                    ? new GroupEntity(name, group, key.Location)
                    : new ServiceEntity(name, group, key.Location);
                Dictionary<string, Entity> byName = MembersOf(group);
                if (byName.TryGetValue(name, out Entity? previous))
                {
                    // Two patterns produced the same name (a,b then a): the later wins, members and all.
                    group.Members.Remove(previous);
                    _entities.RemoveAll(e => ReferenceEquals(e, previous) || e.FullName.StartsWith(previous.FullName + ".", StringComparison.Ordinal));
                }
                group.Members.Add(entity);
                byName[name] = entity;
                _entities.Add(entity);
                Populate(entity, definition);
            }
        }
    }

    /// <summary>Keys of services: and actions: are node set expressions (<c>start,stop</c>, <c>ost[1-2]</c>).</summary>
    private List<string> ExpandNamePattern(YamlTreeNode key)
    {
        string text = key.Value ?? string.Empty;
        if (key.Kind != YamlKind.Scalar || text.Trim().Length == 0)
        {
            Error(key.Location, ErrorIds.Config.InvalidName, $"A name must be a non-empty text, not {key.Describe()}.");
            return new List<string>();
        }
        try
        {
            NodeSet names = NodeSet.Parse(text);
            if (names.Count > _maxNodes)
            {
                Error(key.Location, ErrorIds.Config.TooManyNodes,
                    $"The name pattern '{text}' makes {names.Count} names, more than max_nodes ({_maxNodes}): narrow the range, or raise max_nodes in milkcheck.conf.");
                return new List<string>();
            }
            return names.ToList();
        }
        catch (NodeSetParseException e)
        {
            Error(key.Location, ErrorIds.Config.InvalidName, $"The name pattern '{text}' is not a valid node set expression: {e.Reason} at position {e.Position + 1}.");
        }
        catch (GroupResolverException e)
        {
            Error(key.Location, ErrorIds.Config.InvalidName, $"The name pattern '{text}' uses node groups, which names cannot: {e.Message}");
        }
        return new List<string>();
    }

    private void Populate(Entity entity, YamlTreeNode definition)
    {
        var dependencyValues = new Dictionary<string, YamlTreeNode>(StringComparer.Ordinal);
        var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in definition.Pairs)
        {
            string key = keyNode.Value ?? string.Empty;
            if (seen.TryGetValue(key, out SourceLocation first))
                Warning(keyNode.Location, ErrorIds.Config.DuplicateKey, $"Key '{key}' appears twice in '{entity.FullName}' (first at line {first.Line}): the last one is used.");
            seen[key] = keyNode.Location;

            if (!EntityKeys.Contains(key))
            {
                Warning(keyNode.Location, ErrorIds.Config.UnknownKey, $"Unknown key '{key}' in '{entity.FullName}' is ignored. Known keys: {string.Join(", ", EntityKeys.Order(StringComparer.Ordinal))}.");
                continue;
            }
            switch (key)
            {
                case "variables":
                    ReadVariables(entity.Variables, value, entity.FullName);
                    break;
                case "services":
                    if (entity is GroupEntity group && RequireMapping(value, "services"))
                        CreateMembers(group, LastWins(value.Pairs, "member"));
                    break;
                case "actions":
                    if (entity is ServiceEntity service)
                    {
                        if (RequireMapping(value, "actions"))
                            ReadActions(service, value);
                    }
                    else
                    {
                        Warning(keyNode.Location, ErrorIds.Config.IgnoredKey, $"'actions' on the group '{entity.FullName}' is ignored (as upstream): a group runs its members' actions.");
                    }
                    break;
                case "check":
                case "require":
                case "require_weak":
                case "after":
                case "before":
                case "filter":
                case "require_filter":
                    dependencyValues[key] = value;
                    break;
                default:
                    SetProperty(entity.Properties, key, value, entity.FullName);
                    break;
            }
        }
        ReadDependencies(entity, dependencyValues);
        if (entity is ServiceEntity { Actions.Count: 0 } empty)
            Warning(empty.Location, ErrorIds.Config.NoActions, $"Service '{empty.FullName}' has no actions: every action on it will be Missing.");
    }

    private void ReadActions(ServiceEntity service, YamlTreeNode actions)
    {
        foreach (var (key, definition) in LastWins(actions.Pairs, "action"))
        {
            foreach (string name in ExpandNamePattern(key))
            {
                var action = new ActionDefinition(name, service, key.Location);
                service.Actions.RemoveAll(a => a.Name == name);
                service.Actions.Add(action);
                if (definition.Kind != YamlKind.Mapping)
                {
                    Error(definition.Location, ErrorIds.Config.WrongType, $"Action '{service.FullName}.{name}' must be a mapping with 'cmd:', not {definition.Describe()}.");
                    continue;
                }
                foreach (var (keyNode, value) in definition.Pairs)
                {
                    string k = keyNode.Value ?? string.Empty;
                    switch (k)
                    {
                        case "cmd":
                            if (value.Kind != YamlKind.Scalar || (!value.Quoted && ToValue(value) is not string))
                                Error(value.Location, ErrorIds.Config.WrongType, $"'cmd' of '{service.FullName}.{name}' must be text, not {value.Describe()} (quote it: cmd: \"{value.Value}\").");
                            action.Command = value.Value;
                            action.CommandLocation = value.Location;
                            break;
                        case "check":
                            if (value.Kind != YamlKind.Sequence)
                            {
                                Error(value.Location, ErrorIds.Config.WrongType, $"'check' of the action '{service.FullName}.{name}' must be a list of action names, e.g. check: [ status ].");
                                break;
                            }
                            foreach (YamlTreeNode item in value.Items)
                                action.Checks.Add((item.Value ?? string.Empty, item.Location));
                            break;
                        case "variables":
                            ReadVariables(action.Variables, value, $"{service.FullName}.{name}", isAction: true);
                            break;
                        default:
                            if (DependencyKeys.Contains(k))
                                Warning(keyNode.Location, ErrorIds.Config.IgnoredKey, $"'{k}' on the action '{service.FullName}.{name}' is ignored (as upstream): put dependencies on the service.");
                            else if (!ActionKeys.Contains(k))
                                Warning(keyNode.Location, ErrorIds.Config.UnknownKey, $"Unknown key '{k}' in the action '{service.FullName}.{name}' is ignored. Known keys: {string.Join(", ", ActionKeys.Order(StringComparer.Ordinal))}.");
                            else
                                SetProperty(action.Properties, k, value, $"{service.FullName}.{name}");
                            break;
                    }
                }
                if (action.Command is null)
                    Error(key.Location, ErrorIds.Config.WrongType, $"Action '{service.FullName}.{name}' has no 'cmd'.");
            }
        }
    }

    private void ReadVariables(Dictionary<string, (object?, SourceLocation)> target, YamlTreeNode value, string owner, bool isAction = false)
    {
        if (!RequireMapping(value, $"variables of '{owner}'"))
            return;
        foreach (var (name, variable) in LastWins(value.Pairs, "variable"))
        {
            if (ReservedVariables.IsReserved(name.Value ?? string.Empty, isAction))
            {
                Error(name.Location, ErrorIds.Config.ReservedVariable, $"{name.Value} is a reserved variable name of '{owner}' (an automatic variable): rename it.");
                continue;
            }
            target[name.Value ?? string.Empty] = (ToValue(variable), variable.Location);
        }
    }

    private void SetProperty(PropertyBag properties, string key, YamlTreeNode value, string owner)
    {
        object? typed = ToValue(value);
        bool reference = typed is string s && s.Contains('%');
        PropertyKind? kind = PropertyRules.KindOf(key);
        bool valid = reference || kind switch
        {
            PropertyKind.Text => typed is not IReadOnlyList<object?>,
            PropertyKind.Mode => typed is string m && PropertyRules.Modes.Contains(m),
            PropertyKind.Bool => typed is bool,
            // A literal number is a YAML number; text holding digits is a -Define's privilege.
            PropertyKind.PositiveInteger or PropertyKind.Count or PropertyKind.Seconds =>
                typed is long or double && PropertyRules.TryGetNumber(kind.Value, typed, out _),
            PropertyKind.Tags => typed is IReadOnlyList<object?> or string,
            _ => true,
        };
        string? problem = valid ? null : PropertyRules.Expected(kind!.Value);
        if (problem is not null)
        {
            Error(value.Location, ErrorIds.Config.WrongType, $"'{key}' of '{owner}' must be {problem}, not {value.Describe()}.");
            return;
        }
        if (key is "desc" or "target" && typed is not null and not string)
            typed = Convert.ToString(typed, CultureInfo.InvariantCulture);
        properties.Set(key, typed, value.Location);
    }

    // ---- dependencies -------------------------------------------------------------------------------

    private void ReadDependencies(Entity entity, Dictionary<string, YamlTreeNode> values)
    {
        // Upstream folds aliases onto one key, so combining them loses a list: kept, but said.
        // Upstream folds aliases onto one key in this order, so the last folded wins: after, before, require_weak.
        YamlTreeNode? weak = Alias(values, entity, "after", "before", "require_weak");
        YamlTreeNode? filter = Alias(values, entity, "require_filter", "filter");
        var names = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        void Add(YamlTreeNode? node, DependencyKind kind)
        {
            if (node is null)
                return;
            IEnumerable<YamlTreeNode> items = node.Kind switch
            {
                YamlKind.Sequence => node.Items,
                YamlKind.Scalar => new[] { node }, // one name: a comma inside is not split, as upstream
                _ => Array.Empty<YamlTreeNode>(),
            };
            if (node.Kind == YamlKind.Mapping)
                Error(node.Location, ErrorIds.Config.WrongType, $"Dependencies of '{entity.FullName}' must be a name or a list of names.");
            foreach (YamlTreeNode item in items)
            {
                string name = item.Value ?? string.Empty;
                if (item.Kind != YamlKind.Scalar || name.Length == 0)
                {
                    Error(item.Location, ErrorIds.Config.WrongType, $"A dependency of '{entity.FullName}' must be a service name, not {item.Describe()}.");
                    continue;
                }
                if (names.TryGetValue(name, out SourceLocation first))
                {
                    Error(item.Location, ErrorIds.Config.DuplicateDependency, $"'{entity.FullName}' depends on '{name}' twice (first at line {first.Line}): keep one dependency per service.");
                    continue;
                }
                names[name] = item.Location;
                entity.Dependencies.Add(new Dependency(name, kind, item.Location));
            }
        }
        // Upstream's edge creation order (it shows in the DOT output).
        Add(values.GetValueOrDefault("require"), DependencyKind.Require);
        Add(weak, DependencyKind.RequireWeak);
        Add(values.GetValueOrDefault("check"), DependencyKind.Check);
        Add(filter, DependencyKind.Filter);
    }

    /// <param name="keysByPriority">Keys meaning the same, the one upstream keeps first.</param>
    private YamlTreeNode? Alias(Dictionary<string, YamlTreeNode> values, Entity entity, params string[] keysByPriority)
    {
        string[] present = keysByPriority.Where(values.ContainsKey).ToArray();
        if (present.Length == 0)
            return null;
        string winner = present[0];
        foreach (string dropped in present.Skip(1))
            Warning(values[dropped].Location, ErrorIds.Config.DroppedAlias,
                $"'{dropped}' and '{winner}' of '{entity.FullName}' mean the same; as upstream only '{winner}' is used: merge the lists into one key.");
        return values[winner];
    }

    private void ResolveDependencies()
    {
        var byFullName = _entities.ToDictionary(e => e.FullName, StringComparer.Ordinal);
        foreach (Entity entity in _entities)
        {
            foreach (Dependency dependency in entity.Dependencies)
            {
                // A sibling first (upstream 1.2.4), then a dotted full name from any level (spec §6.4).
                Entity? target = MembersOf(entity.Parent!).GetValueOrDefault(dependency.Name)
                    ?? byFullName.GetValueOrDefault(dependency.Name);
                if (target is null)
                {
                    Error(dependency.Location, ErrorIds.Config.UnknownDependency,
                        $"Unknown dependency '{dependency.Name}' of '{entity.FullName}': define a service of that name, or use a sibling's name or a full dotted name (group.member).");
                    continue;
                }
                dependency.Target = target;
            }
        }
        foreach (ServiceEntity entity in _entities.OfType<ServiceEntity>())
        {
            foreach (ActionDefinition action in entity.Actions)
                foreach (var (check, location) in action.Checks)
                    if (entity.Actions.All(a => a.Name != check))
                        Error(location, ErrorIds.Config.UnknownCheckAction,
                            $"The action '{entity.FullName}.{action.Name}' checks '{check}', which '{entity.FullName}' does not define: name one of its actions ({string.Join(", ", entity.Actions.Select(a => a.Name))}).");
        }
    }

    private static void Inherit(GroupEntity group)
    {
        foreach (Entity member in group.Members)
        {
            if (!group.IsRoot)
                member.Properties.InheritFrom(group.Properties);
            if (member is GroupEntity nested)
                Inherit(nested);
            else if (member is ServiceEntity service)
                foreach (ActionDefinition action in service.Actions)
                    action.Properties.InheritFrom(service.Properties);
        }
    }

    // ---- variables ----------------------------------------------------------------------------------

    /// <summary>Dependency names written as variables (<c>require: "%DEPS"</c>) resolve at load time, as upstream.</summary>
    private void ExpandVariableDependencies()
    {
        foreach (Entity entity in _entities)
        {
            if (!entity.Dependencies.Any(d => d.Name.Contains('%')))
                continue;
            var expanded = entity.Dependencies.SelectMany(dependency =>
            {
                if (!dependency.Name.Contains('%'))
                    return new[] { dependency };
                object? resolved = TryResolve(dependency.Name, _scopes.For(entity), dependency.Location, _commands);
                IEnumerable<object?> names = resolved is IReadOnlyList<object?> list ? list : resolved is null ? Array.Empty<object?>() : new[] { resolved };
                return names.Select(name => new Dependency(VariableResolver.Format(name), dependency.Kind, dependency.Location)).ToArray();
            }).ToList();
            entity.Dependencies.Clear();
            entity.Dependencies.AddRange(expanded);
        }
    }

    /// <summary>Targets resolve when loaded, in the scope of the entity that declares them (spec §2.7), before inheritance.</summary>
    private void ResolveTargets()
    {
        foreach (Entity entity in _entities)
            entity.ResolvedTarget = ResolveTarget(entity.Properties, _scopes.For(entity), entity.FullName);
        foreach (ServiceEntity service in _entities.OfType<ServiceEntity>())
            foreach (ActionDefinition action in service.Actions)
                action.ResolvedTarget = ResolveTarget(action.Properties, _scopes.For(action), $"{service.FullName}.{action.Name}");
    }

    private string? ResolveTarget(PropertyBag properties, IVariableScope scope, string owner)
    {
        if (properties.Get("target") is not string raw)
            return null;
        SourceLocation location = properties.LocationOf("target")!.Value;
        if (TryResolve(raw, scope, location, _commands) is not { } value)
            return null;
        string text = VariableResolver.Format(value);
        try
        {
            NodeSet nodes = NodeSet.Parse(text, text.AsSpan().IndexOfAny('@', '*', '?') >= 0 ? _groups() : GroupResolver.None);
            // Counted on the folded intervals: a typo such as node[1-999999999] is never expanded.
            if (nodes.Count > _maxNodes)
            {
                Error(location, ErrorIds.Config.TooManyNodes,
                    $"The target of '{owner}' has {nodes.Count} nodes, more than max_nodes ({_maxNodes}): narrow the node set, or raise max_nodes in milkcheck.conf.");
                return null;
            }
            string folded = nodes.ToString();
            properties.Set("target", folded, location); // inherited resolved, as upstream
            if (!string.Equals(raw, folded, StringComparison.Ordinal))
                _writtenTargets[location] = raw;
            return folded;
        }
        catch (NodeSetParseException e)
        {
            Error(location, ErrorIds.Config.InvalidTarget, $"The target of '{owner}' is not a valid node set: {e.Message}");
        }
        catch (GroupResolverException e)
        {
            Error(location, ErrorIds.Config.InvalidTarget, $"The target of '{owner}' uses node groups that cannot be resolved: {e.Message}");
        }
        return null;
    }

    /// <summary>
    /// Everything a run resolves just before it starts (variables, desc, mode, numbers, cmd), checked now so that
    /// a bad reference anywhere is reported with its place; commands are not run here.
    /// </summary>
    private void ValidateRunResolution()
    {
        foreach (Entity entity in _entities)
        {
            IVariableScope scope = _runScopes.For(entity);
            ValidateScope(entity.Variables, entity.Properties, scope, entity.FullName);
            if (entity.Properties.Get("desc") is string desc && entity.Properties.LocationOf("desc") is { } descAt)
                entity.ResolvedDescription = TryResolve(desc, scope, descAt, commands: null, runTime: true) is { } text ? VariableResolver.Format(text) : null;
            if (entity is ServiceEntity service)
            {
                foreach (ActionDefinition action in service.Actions)
                {
                    IVariableScope actionScope = _runScopes.For(action);
                    ValidateScope(action.Variables, action.Properties, actionScope, $"{service.FullName}.{action.Name}");
                    if (action.Properties.Get("desc") is string actionDesc && action.Properties.LocationOf("desc") is { } actionDescAt)
                        TryResolve(actionDesc, actionScope, actionDescAt, commands: null, runTime: true);
                    if (action.Command is string command && action.CommandLocation is { } at)
                        TryResolve(command, actionScope, at, commands: null, runTime: true);
                }
            }
        }
        foreach (var (_, (value, location)) in _root!.Variables)
            TryResolve(value, _runScopes.For(_root), location, commands: null, runTime: true);
    }

    private void ValidateScope(Dictionary<string, (object? Value, SourceLocation Location)> variables, PropertyBag properties, IVariableScope scope, string owner)
    {
        foreach (var (_, (value, location)) in variables)
            TryResolve(value, scope, location, commands: null, runTime: true);
        foreach (string key in PropertyRules.ResolvedBeforeRun)
        {
            if (properties.Get(key) is not string raw || !raw.Contains('%') || properties.LocationOf(key) is not { } location)
                continue;
            object? resolved = TryResolve(raw, scope, location, commands: null, runTime: true);
            PropertyKind kind = PropertyRules.KindOf(key)!.Value;
            // A value that comes from %(...) is only known when the run resolves it.
            if (resolved is null || !PropertyRules.IsNumeric(kind) || raw.Contains("%("))
                continue;
            if (!PropertyRules.TryGetNumber(kind, resolved, out _))
                Error(location, ErrorIds.Config.WrongType, $"'{key}' of '{owner}' resolves to '{VariableResolver.Format(resolved)}': it must be {PropertyRules.Expected(kind)}.");
        }
    }

    /// <param name="runTime">A property resolved just before a run: a variable nothing defines may still come from
    /// -Define, so it is a Warning unless the loader was told the run's defines are final.</param>
    private object? TryResolve(object? value, IVariableScope scope, SourceLocation location, ICommandSubstitution? commands, bool runTime = false)
    {
        try
        {
            // Targets and dependency lists resolve now, as upstream, which logs them; the run-time checks are ours.
            return new VariableResolver(commands, runTime ? null : _substitutions).Resolve(value, scope, _cancellation);
        }
        catch (VariableException e)
        {
            string id = e.Kind switch
            {
                VariableErrorKind.Undefined => ErrorIds.Config.UndefinedVariable,
                VariableErrorKind.InvalidPlaceholder => ErrorIds.Config.InvalidPlaceholder,
                VariableErrorKind.CommandFailed => ErrorIds.Config.CommandFailed,
                VariableErrorKind.Recursion => ErrorIds.Config.VariableRecursion,
                _ => throw new InvalidOperationException($"Unknown variable error {e.Kind}."),
            };
            string message = e.Kind == VariableErrorKind.Undefined ? e.Message + _names.UndefinedVariableHint : e.Message;
            if (runTime && e.Kind == VariableErrorKind.Undefined && !_undefinedAtRunIsError)
                Warning(location, id, message);
            else
                Error(location, id, message);
            return null;
        }
    }

    /// <summary>
    /// Upstream has no cycle detection (it recurses forever); here a cycle is an error with its path. The walk keeps
    /// its own stack, so a chain of 50,000 services cannot overflow the thread's.
    /// </summary>
    private void DetectCycles()
    {
        var state = new Dictionary<Entity, int>(); // 1 = on the path, 2 = done
        var path = new List<Entity>();
        var position = new Dictionary<Entity, int>(); // index in path while on it
        var next = new List<int>(); // per path entry: the next dependency to look at
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (Entity root in _entities)
        {
            if (state.ContainsKey(root))
                continue;
            Enter(root);
            while (path.Count > 0)
            {
                Entity entity = path[^1];
                int index = next[^1];
                if (index == entity.Dependencies.Count)
                {
                    path.RemoveAt(path.Count - 1);
                    next.RemoveAt(next.Count - 1);
                    position.Remove(entity);
                    state[entity] = 2;
                    continue;
                }
                next[^1] = index + 1;
                Dependency dependency = entity.Dependencies[index];
                if (dependency.Target is not { } target)
                    continue;
                if (!state.TryGetValue(target, out int s))
                {
                    Enter(target);
                    continue;
                }
                if (s != 1)
                    continue;
                var cycle = path.Skip(position[target]).Select(e => e.FullName).Append(target.FullName).ToList();
                string key = string.Join(" -> ", cycle.Skip(1).Order(StringComparer.Ordinal));
                if (reported.Add(key))
                    Error(dependency.Location, ErrorIds.Config.Cycle,
                        $"Dependency cycle: {string.Join(" -> ", cycle)}. Remove one of these dependencies.");
            }
        }

        void Enter(Entity entity)
        {
            state[entity] = 1;
            position[entity] = path.Count;
            path.Add(entity);
            next.Add(0);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private Dictionary<string, Entity> MembersOf(GroupEntity group)
    {
        if (!_members.TryGetValue(group, out Dictionary<string, Entity>? byName))
            _members[group] = byName = new Dictionary<string, Entity>(StringComparer.Ordinal);
        return byName;
    }

    private bool RequireMapping(YamlTreeNode node, string what)
    {
        if (node.Kind == YamlKind.Mapping)
            return true;
        if (node.IsNullScalar)
            return false;
        Error(node.Location, ErrorIds.Config.WrongType, $"'{what}' must be a mapping of names to definitions, not {node.Describe()}.");
        return false;
    }

    /// <summary>YAML 1.1 typing of plain scalars, as upstream's safe loader reads them.</summary>
    internal static object? ToValue(YamlTreeNode node)
    {
        switch (node.Kind)
        {
            case YamlKind.Sequence:
                return node.Items.Select(ToValue).ToArray();
            case YamlKind.Mapping:
                return node.Pairs.ToDictionary(p => p.Key.Value ?? string.Empty, p => ToValue(p.Value), StringComparer.Ordinal);
        }
        // PyYAML's safe loader typing (YAML 1.1), shared with milkcheck.conf.
        string text = node.Value ?? string.Empty;
        switch (YamlScalarTyping.Resolve(text, node.Style, node.Tag))
        {
            case YamlScalarKind.Null:
                return null;
            case YamlScalarKind.Bool when YamlScalarTyping.TryGetBool(text, node.Style, node.Tag, out bool flag):
                return flag;
            case YamlScalarKind.Int when YamlScalarTyping.TryGetInt(text, node.Style, node.Tag, out long integer):
                return integer;
            case YamlScalarKind.Float when YamlScalarTyping.TryGetDouble(text, node.Style, node.Tag, out double number):
                return number;
            default:
                return text;
        }
    }

    private void Error(SourceLocation at, string id, string message) => Report(DiagnosticSeverity.Error, at, id, message);

    private void Warning(SourceLocation at, string id, string message) => Report(DiagnosticSeverity.Warning, at, id, message);

    /// <summary>One problem per place and kind, though an inherited property is checked for the service and for each action.</summary>
    private void Report(DiagnosticSeverity severity, SourceLocation at, string id, string message)
    {
        if (_reported.Add((at, id, severity)))
            _diagnostics.Add(new ConfigDiagnostic(severity, at.File, at.Line, at.Column, message, id));
    }
}
