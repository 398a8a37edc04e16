using System.Globalization;
using MilkCheck.Configuration;
using MilkCheck.Execution;
using MilkCheck.Model;
using MilkCheck.NodeSets;
using MilkCheck.Variables;

namespace MilkCheck.Scheduling;

/// <summary>How an action's command reaches its nodes (spec §4.2.1).</summary>
internal enum ExecutionMode
{
    /// <summary>No target: one <c>/bin/sh -c</c> on this machine, node <c>localhost</c>.</summary>
    Local,
    /// <summary>Target, standard mode: the command on every node through the remote transport.</summary>
    Remote,
    /// <summary><c>mode: exec</c> or <c>remote: false</c>: one local process per node, with <c>%h</c> placeholders.</summary>
    Exec,
    /// <summary><c>mode: delegate</c>: one local command; the target only shapes %TARGET, -n/-x and Skipped.</summary>
    Delegate,
}

/// <summary>One action of one service with everything a run resolved for it (spec §3.5), immutable.</summary>
internal sealed record ActionSpec(
    ServiceEntity Service, string Name, string Command, string ConfiguredTarget, NodeSet? Target, ExecutionMode Mode,
    int? Fanout, TimeSpan? Timeout, int Errors, int Warnings, TimeSpan Delay, int Retry, string? Description,
    IReadOnlyList<string> Checks)
{
    /// <summary>The target is present but nothing is left of it (after -n/-x, tags): the action is Skipped.</summary>
    public bool IsEmptyTarget => Target is { IsEmpty: true };
}

/// <summary>An entity as one run sees it: edges in the run's direction (reversed for stop), flags from the options.</summary>
internal sealed class RunNode
{
    public RunNode(Entity entity) => Entity = entity;

    public Entity Entity { get; }
    public RunNode? Group { get; set; }

    /// <summary>What must be final before this one starts (dependencies; dependents when reversed).</summary>
    public List<(RunNode Node, DependencyKind Kind)> Predecessors { get; } = new();
    public List<(RunNode Node, DependencyKind Kind)> Successors { get; } = new();
    public List<RunNode> Members { get; } = new();

    /// <summary>Members no other member waits for in this direction: prepared first, and the group completes on them.</summary>
    public List<RunNode> Sinks { get; } = new();
    public bool IsEntry { get; set; }
    public bool Locked { get; set; }
    public bool TagSkipped { get; set; }
}

/// <summary>
/// A run prepared from a model and options (spec §4.10's order: -X, tags, -n/-x, direction, variables, entries,
/// --nodeps): the graph in the run's direction and every action the run may reach, resolved. Building it runs
/// the <c>%(...)</c> of those commands; a problem is a <see cref="RunSetupException"/> before anything runs.
/// </summary>
internal sealed class RunPlan
{
    private readonly Dictionary<(ServiceEntity, string), ActionSpec> _actions = new();

    private RunPlan(string action, bool reversed, int defaultFanout)
    {
        Action = action;
        Reversed = reversed;
        DefaultFanout = defaultFanout;
    }

    public string Action { get; }
    public bool Reversed { get; }
    public int DefaultFanout { get; }

    /// <summary><c>--dry-run</c>: nodes run <c>:</c> (spec §4.2.7).</summary>
    public bool DryRun { get; private init; }
    public Dictionary<Entity, RunNode> Nodes { get; } = new(ReferenceEqualityComparer.Instance);
    public List<RunNode> Entries { get; } = new();

    public List<(string ErrorId, string Message)> Warnings { get; } = new();

    public ActionSpec? FindAction(ServiceEntity service, string name) => _actions.GetValueOrDefault((service, name));

    public static RunPlan Build(ServiceModel model, GlobalConfiguration global, RunOptions options, ICommandSubstitution? commands = null)
    {
        bool reversed = global.ReverseActions.Contains(options.Action, StringComparer.Ordinal);
        var plan = new RunPlan(options.Action, reversed, options.Fanout ?? global.Fanout) { DryRun = options.DryRun };
        if (options.Fanout is < 1)
            throw new RunSetupException(ErrorIds.InvalidFanout, $"{options.Names.Fanout} {options.Fanout} is not a valid fanout: give 1 or more.");

        foreach (Entity entity in model.Entities)
            plan.Nodes[entity] = new RunNode(entity);
        foreach (RunNode node in plan.Nodes.Values)
        {
            if (node.Entity.Parent is { IsRoot: false } parent)
            {
                node.Group = plan.Nodes[parent];
                node.Group.Members.Add(node);
            }
            foreach (Dependency dependency in node.Entity.Dependencies)
            {
                if (dependency.Target is null || !plan.Nodes.TryGetValue(dependency.Target, out RunNode? other))
                    continue;
                // Normal direction: the dependency runs first. Reversed: the dependent runs first.
                (RunNode first, RunNode then) = reversed ? (node, other) : (other, node);
                then.Predecessors.Add((first, dependency.Kind));
                first.Successors.Add((then, dependency.Kind));
            }
        }
        foreach (RunNode group in plan.Nodes.Values.Where(n => n.Entity is GroupEntity))
            group.Sinks.AddRange(group.Members.Where(m => !m.Successors.Any(s => s.Node.Group == group)));

        var topLevel = model.Root.Members.Select(e => plan.Nodes[e]).ToList();

        // -X: top-level short names only, as upstream; others are said and ignored.
        foreach (string name in options.ExcludedServices.Distinct(StringComparer.Ordinal))
        {
            RunNode? locked = topLevel.LastOrDefault(n => n.Entity.Name == name);
            if (locked is null)
                plan.Warnings.Add((ErrorIds.UnknownExcludedService, model.ByFullName.ContainsKey(name)
                    ? $"-ExcludeService '{name}' names a group member; only top-level services and groups can be excluded, so it is ignored."
                    : $"-ExcludeService '{name}' names no top-level service or group; it is ignored."));
            else
                locked.Locked = true;
        }

        // -t: tags of top-level entities only; untagged ones are skipped as soon as tags are asked for.
        if (options.Tags.Count > 0)
        {
            var wanted = new HashSet<string>(options.Tags, StringComparer.Ordinal);
            foreach (RunNode node in topLevel)
                if (!node.Entity.Tags.Any(wanted.Contains))
                    MarkTagSkipped(node);
        }

        // Entries.
        if (options.Services.Count > 0)
        {
            foreach (string name in options.Services.Distinct(StringComparer.Ordinal))
            {
                if (!model.ByFullName.TryGetValue(name, out Entity? entity) || entity is GroupEntity { IsRoot: true })
                    throw new RunSetupException(ErrorIds.UnknownService,
                        $"Service '{name}' is not defined in the configuration. Use Get-MilkCheckService to list the services (group members as 'group.member').", name);
                plan.Entries.Add(plan.Nodes[entity]);
            }
        }
        else
        {
            plan.Entries.AddRange(topLevel.Where(n => !n.Successors.Any(s => s.Node.Group is null && s.Node.Entity.Parent is { IsRoot: true })));
        }
        foreach (RunNode entry in plan.Entries)
        {
            entry.IsEntry = true;
            if (options.NoDependencies)
            {
                foreach (var (pred, kind) in entry.Predecessors)
                    pred.Successors.RemoveAll(s => s.Node == entry);
                entry.Predecessors.Clear();
            }
        }

        // Upstream makes every entity MISSING and exits 0 (spec §4.5): a typo in a cron line would go unnoticed.
        // An entity lacking an action that others define is still Missing at run time, as upstream.
        if (!model.Entities.OfType<ServiceEntity>().Any(s => s.Actions.Any(a => a.Name == options.Action)))
        {
            string[] known = model.Entities.OfType<ServiceEntity>().SelectMany(s => s.Actions.Select(a => a.Name))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            throw new RunSetupException(ErrorIds.UnknownAction,
                $"No service defines the action '{options.Action}'. " + (known.Length == 0
                    ? "The configuration defines no action at all."
                    : $"The actions defined are: {string.Join(", ", known)}."), options.Action);
        }

        plan.ResolveActions(model, options, commands);
        return plan;
    }

    private static void MarkTagSkipped(RunNode node)
    {
        node.TagSkipped = true;
        foreach (RunNode member in node.Members)
            MarkTagSkipped(member);
    }

    /// <summary>Resolves every action the run may reach: the action, <c>status</c> (check edges) and their checks.</summary>
    private void ResolveActions(ServiceModel model, RunOptions options, ICommandSubstitution? commands)
    {
        NodeSet? selection = options.Nodes is null ? null : options.ExcludedNodes is null ? options.Nodes : options.Nodes - options.ExcludedNodes;
        if (options.Defines.Keys.FirstOrDefault(name => !ScopeSet.IsDefinable(name)) is { } refused)
            throw new RunSetupException(ErrorIds.InvalidDefine, ScopeSet.DefineRefusal(refused, options.Names.Define), refused);
        if (options.Nodes?.FirstOrDefault(n => !HostNames.IsValid(n)) is { } badNode)
            throw new RunSetupException(ErrorIds.InvalidNodeName,
                $"{options.Names.Node} '{HostNames.Printable(badNode)}' is not a host name ({HostNames.Problem(badNode)}): node names become SSH host names and, in exec mode, text in a local shell command.", badNode);
        ScopeSet scopes = ScopeSet.ForRun(options.Defines,
            selection?.ToString() ?? string.Empty, options.ExcludedNodes?.ToString() ?? string.Empty);
        var resolver = new VariableResolver(commands ?? new ShellCommandSubstitution(), options.Substitutions);
        var problems = new List<ConfigDiagnostic>();
        var reached = new HashSet<RunNode>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<RunNode>(Entries);
        while (stack.Count > 0)
        {
            RunNode node = stack.Pop();
            if (!reached.Add(node))
                continue;
            foreach (var (pred, _) in node.Predecessors)
                stack.Push(pred);
            foreach (RunNode member in node.Members)
                stack.Push(member);
        }
        bool anyTarget = false, anyNodeLeft = false;
        // In the configuration's order, each entity's own variables and properties before its members' and actions',
        // as upstream resolves (its -vv log shows that order, and a variable's %(...) runs once).
        var prepared = new HashSet<Entity>(ReferenceEqualityComparer.Instance);
        PrepareScope(model.Root, model, scopes, resolver, options, prepared);
        foreach (ServiceEntity service in model.Entities.OfType<ServiceEntity>().Where(s => reached.Contains(Nodes[s])))
        {
            PrepareScope(service, model, scopes, resolver, options, prepared);
            RunNode node = Nodes[service];
            var names = new Queue<string>(new[] { Action, "status" });
            while (names.Count > 0)
            {
                string name = names.Dequeue();
                if (_actions.ContainsKey((service, name)))
                    continue;
                ActionDefinition? definition = service.Actions.LastOrDefault(a => a.Name == name);
                if (definition is null)
                    continue;
                ActionSpec? spec = Resolve(definition, node, scopes, resolver, options, problems, model.WrittenTargets);
                if (spec is null)
                    continue;
                _actions[(service, name)] = spec;
                if (name == Action && spec.Target is not null && !node.TagSkipped)
                {
                    anyTarget = true;
                    anyNodeLeft |= !spec.Target.IsEmpty;
                }
                foreach (string check in spec.Checks)
                    names.Enqueue(check);
            }
        }
        if (problems.Count > 0)
            throw new RunSetupException(ErrorIds.ConfigurationInvalid,
                "The configuration cannot be run:" + string.Concat(problems.Select(p => "\n" + p)), problems);
        if ((options.Nodes is not null || options.ExcludedNodes is not null) && (selection is { IsEmpty: true } || (anyTarget && !anyNodeLeft)))
            Warnings.Add((ErrorIds.EmptyNodeSelection,
                $"{options.Names.Node}/{options.Names.ExcludeNode} leave no node of the run's targets ({(selection is null ? "all but " + options.ExcludedNodes : "'" + selection + "'")}): services with a target are Skipped; local services still run."));
    }

    /// <summary>
    /// Resolves an entity's own variables (once: the resolver keeps them), its description and the target it wrote
    /// with a reference, after its groups', as upstream does before a run (spec §3.5). A failure here is not one:
    /// a value that is used fails again where it is used, with its place; one that is not used does not matter.
    /// </summary>
    private static void PrepareScope(Entity entity, ServiceModel model, ScopeSet scopes, VariableResolver resolver, RunOptions options,
        HashSet<Entity> prepared)
    {
        if (entity.Parent is { } parent)
            PrepareScope(parent, model, scopes, resolver, options, prepared);
        if (!prepared.Add(entity))
            return;
        IVariableScope scope = scopes.For(entity);
        IEnumerable<string> names = entity.Variables.Keys;
        if (entity.Parent is null)
            names = names.Where(n => !options.Defines.ContainsKey(n)).Concat(new[] { "SELECTED_NODES", "EXCLUDED_NODES" }).Concat(options.Defines.Keys);
        foreach (string name in names.ToArray())
            Quietly(() => resolver.ResolveVariable(name, scope));
        PrepareProperties(entity.Properties, scope, resolver, model.WrittenTargets);
    }

    /// <summary>The raw target (resolved again, as upstream's saved copy is) and the description.</summary>
    private static void PrepareProperties(PropertyBag properties, IVariableScope scope, VariableResolver resolver,
        IReadOnlyDictionary<SourceLocation, string> writtenTargets)
    {
        if (properties.LocationOf("target") is { } at && writtenTargets.TryGetValue(at, out string? written) && written.Contains('%'))
            Quietly(() => resolver.Resolve(written, scope));
        if (properties.Get("desc") is string desc)
            Quietly(() => resolver.Resolve(desc, scope));
    }

    private static void Quietly(Func<object?> resolve)
    {
        try
        {
            resolve();
        }
        catch (VariableException)
        {
        }
    }

    private static ActionSpec? Resolve(ActionDefinition definition, RunNode node, ScopeSet scopes, VariableResolver resolver,
        RunOptions options, List<ConfigDiagnostic> problems, IReadOnlyDictionary<SourceLocation, string> writtenTargets)
    {
        IVariableScope scope = scopes.For(definition);
        foreach (string name in definition.Variables.Keys.ToArray())
            Quietly(() => resolver.ResolveVariable(name, scope));
        string owner = $"{definition.Service.FullName}.{definition.Name}";
        int before = problems.Count;
        PropertyBag properties = definition.Properties;

        object? Value(string key)
        {
            object? raw = properties.Get(key);
            try
            {
                return resolver.Resolve(raw, scope);
            }
            catch (VariableException e)
            {
                Problem(properties.LocationOf(key) ?? definition.Location, $"'{key}' of '{owner}': {Explained(e, options)}");
                return null;
            }
        }

        void Problem(SourceLocation at, string message) =>
            problems.Add(new ConfigDiagnostic(DiagnosticSeverity.Error, at.File, at.Line, at.Column, message, ErrorIds.Config.RunResolution));

        double? Number(string key)
        {
            object? value = Value(key);
            PropertyKind kind = PropertyRules.KindOf(key)!.Value;
            if (PropertyRules.TryGetNumber(kind, value, out double? number))
                return number;
            Problem(properties.LocationOf(key) ?? definition.Location,
                $"'{key}' of '{owner}' is '{VariableResolver.Format(value)}': it must be {PropertyRules.Expected(kind)}.");
            return null;
        }

        // Upstream's order (spec §3.5): the numbers, mode and desc, then the command.
        double? fanout = Number("fanout");
        double? retry = Number("retry");
        double? errors = Number("errors");
        double? warnings = Number("warnings");
        double? timeout = Number("timeout");
        double? delay = Number("delay");
        if (properties.LocationOf("target") is { } ownTarget && ownTarget != definition.Service.Properties.LocationOf("target")
            && writtenTargets.TryGetValue(ownTarget, out string? writtenTarget) && writtenTarget.Contains('%'))
            Quietly(() => resolver.Resolve(writtenTarget, scope)); // upstream resolves the action's saved target again
        string mode = VariableResolver.Format(Value("mode") ?? "standard");
        bool remote = properties.Get("remote") is not false;
        if (!PropertyRules.Modes.Contains(mode))
            Problem(properties.LocationOf("mode") ?? definition.Location, $"'mode' of '{owner}' is '{mode}': use standard, delegate or exec.");
        string? description = null;
        if (properties.Get("desc") is not null)
            description = VariableResolver.Format(Value("desc"));

        string command;
        try
        {
            command = definition.Command switch
            {
                null => string.Empty,
                string text => resolver.ResolveString(text, scope),
                object other => VariableResolver.Format(other),
            };
        }
        catch (VariableException e)
        {
            Problem(definition.CommandLocation ?? definition.Location, $"'cmd' of '{owner}': {Explained(e, options)}");
            command = string.Empty;
        }
        if (problems.Count > before)
            return null;

        string configured = properties.Get("target") is string t ? t : string.Empty;
        NodeSet? target = properties.Get("target") is string text2 ? NodeSet.Parse(text2) : null;
        if (node.TagSkipped)
            target = NodeSet.Empty;
        else if (target is not null)
        {
            if (options.Nodes is not null)
                target &= options.Nodes;
            if (options.ExcludedNodes is not null)
                target -= options.ExcludedNodes;
        }
        ExecutionMode executionMode = target is null ? ExecutionMode.Local
            : mode == "delegate" ? ExecutionMode.Delegate
            : mode == "exec" || !remote ? ExecutionMode.Exec
            : ExecutionMode.Remote;
        if (executionMode is ExecutionMode.Remote or ExecutionMode.Exec && target is not null)
        {
            SourceLocation at = properties.LocationOf("target") ?? definition.Location;
            if (target.FirstOrDefault(n => !HostNames.IsValid(n)) is { } bad)
            {
                string where = writtenTargets.TryGetValue(at, out string? written) ? $"its target '{written}' (which gave '{configured}')" : $"its target '{configured}'";
                string use = executionMode == ExecutionMode.Remote
                    ? "over SSH it would be a host name and a known_hosts entry"
                    : "in exec mode %h would put it in a local shell command";
                Problem(at, $"'{owner}' cannot run on node '{HostNames.Printable(bad)}' of {where}: it is not a host name ({HostNames.Problem(bad)}); {use}.");
                return null;
            }
        }
        if (executionMode == ExecutionMode.Exec)
        {
            try
            {
                Execution.ExecPlaceholders.Substitute(command, "node", 0, "node");
            }
            catch (FormatException e)
            {
                Problem(definition.CommandLocation ?? definition.Location, $"'cmd' of '{owner}' (exec mode): {e.Message}");
                return null;
            }
        }
        return new ActionSpec(definition.Service, definition.Name, command, configured, target, executionMode,
            fanout is { } f ? (int)f : null, timeout is null ? null : TimeSpan.FromSeconds(timeout.Value),
            (int)(errors ?? 0), (int)(warnings ?? 0), TimeSpan.FromSeconds(delay ?? 0), (int)(retry ?? 0),
            description ?? definition.Service.Description,
            definition.Checks.Select(c => c.Name).ToArray());
    }

    /// <summary>A variable error as the front end should read it: an undefined one says where a value can come from.</summary>
    private static string Explained(VariableException e, RunOptions options) =>
        e.Kind == VariableErrorKind.Undefined ? e.Message + options.Names.UndefinedVariableHint : e.Message;
}
