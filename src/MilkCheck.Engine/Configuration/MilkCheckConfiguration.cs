using MilkCheck.Model;
using MilkCheck.NodeSets;
using MilkCheck.Variables;

namespace MilkCheck.Configuration;

/// <summary>
/// A loaded configuration directory as the cmdlets see it: diagnostics, services as <see cref="ServiceInfo"/>,
/// names for completion. Immutable; load one per invocation (nothing is cached statically).
/// </summary>
public sealed class MilkCheckConfiguration
{
    private readonly ServiceModel _model;

    private readonly IReadOnlyList<ConfigDiagnostic> _diagnostics;

    private MilkCheckConfiguration(string path, ServiceModel model, GlobalConfiguration global, IEnumerable<ConfigDiagnostic> globalDiagnostics)
    {
        Path = path;
        _model = model;
        Global = global;
        _diagnostics = globalDiagnostics.Concat(model.Diagnostics).ToArray();
    }

    /// <summary>Loads a directory of YAML files or a single file. Problems are in <see cref="Diagnostics"/>, never thrown.</summary>
    /// <param name="runCommands">Run <c>%(...)</c> found in targets and dependency lists, as upstream does when
    /// loading; false never runs anything (Test-MilkCheckConfig).</param>
    /// <param name="global">milkcheck.conf as loaded (defaults when null); its diagnostics join this one's.</param>
    /// <param name="options">The run's -Define values and how strict to be about run-time references.</param>
    public static MilkCheckConfiguration Load(string path, bool runCommands = true, GlobalConfiguration? global = null,
        IEnumerable<ConfigDiagnostic>? globalDiagnostics = null, LoadOptions? options = null)
    {
        GroupResolver? groups = null;
        global ??= GlobalConfiguration.Default;
        ServiceModel model = ServiceConfigurationLoader.Load(path,
            runCommands ? new ShellCommandSubstitution() : null,
            () => groups ??= GroupResolver.Load(GroupConfigurationLocations.FromEnvironment()),
            global.MaxNodes, options);
        return new MilkCheckConfiguration(path, model, global, globalDiagnostics ?? Array.Empty<ConfigDiagnostic>());
    }

    public string Path { get; }

    /// <summary>The global configuration (milkcheck.conf) this one was loaded with.</summary>
    public GlobalConfiguration Global { get; }

    /// <summary>milkcheck.conf's problems first, then the service files'.</summary>
    public IReadOnlyList<ConfigDiagnostic> Diagnostics => _diagnostics;

    public bool HasErrors => _diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);

    internal ServiceModel Model => _model;

    /// <summary>Every service and group, members included, in definition order.</summary>
    public IReadOnlyList<ServiceInfo> GetServices() => _model.Entities.Select(ToInfo).ToArray();

    /// <summary>Full names of every entity (for -Service completion).</summary>
    public IReadOnlyList<string> EntityNames => _model.Entities.Select(e => e.FullName).ToArray();

    /// <summary>Every action name defined anywhere, sorted (for -Action completion).</summary>
    public IReadOnlyList<string> ActionNames => _model.Entities.OfType<ServiceEntity>()
        .SelectMany(s => s.Actions.Select(a => a.Name)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The dependency graph as text. <paramref name="action"/> listed in reverse_actions (stop by default) draws the
    /// edges reversed, in the order such an action runs.
    /// </summary>
    public string WriteGraph(GraphFormat format, IReadOnlyList<string>? services = null, IReadOnlyCollection<string>? excluded = null, string? action = null) =>
        Graph.GraphWriter.Write(_model, format, services, excluded,
            reversed: action is not null && Global.ReverseActions.Contains(action, StringComparer.Ordinal));

    /// <summary>True when the entity or one of its enclosing groups carries one of the tags.</summary>
    public bool HasTag(string fullName, IEnumerable<string> tags)
    {
        var wanted = new HashSet<string>(tags, StringComparer.Ordinal);
        for (Entity? entity = _model.ByFullName.GetValueOrDefault(fullName); entity is not null && !(entity is GroupEntity { IsRoot: true }); entity = entity.Parent)
            if (entity.Tags.Any(wanted.Contains))
                return true;
        return false;
    }

    private static ServiceInfo ToInfo(Entity entity) => new(
        entity.FullName,
        entity.GroupName,
        entity.Kind,
        entity.Description,
        entity.TargetText ?? string.Empty,
        entity.Tags,
        entity is ServiceEntity service ? service.Actions.Select(a => a.Name).ToArray() : Array.Empty<string>(),
        entity.Dependencies.Select(d => new DependencyInfo(d.Target?.FullName ?? d.Name, d.Kind)).ToArray(),
        entity.Location.File,
        entity.Location.Line);
}
