using System.Collections;
using System.Management.Automation;
using MilkCheck.Configuration;

namespace MilkCheck.Commands;

/// <summary>
/// <para type="synopsis">Writes the dependency graph of a configuration as DOT (as upstream -g) or Mermaid text.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "MilkCheckGraph", DefaultParameterSetName = PathSet)]
[OutputType(typeof(string))]
public sealed class GetMilkCheckGraphCommand : MilkCheckCmdletBase
{
    /// <summary>Entities to draw (full names), in this order; all top-level entities when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    public string[]? Service { get; set; }

    /// <summary>An action listed in reverse_actions (stop) draws every edge reversed, in the order it runs.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ActionNameCompleter))]
    public string? Action { get; set; }

    /// <summary>The configuration directory or YAML file; wildcards must match exactly one item.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [SupportsWildcards]
    public string? Path { get; set; }

    /// <summary>The configuration directory or YAML file, taken as written (no wildcards); binds from PSPath, so Get-Item output pipes in.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string? LiteralPath { get; set; }

    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Variables a run would pass with -Define (upstream -D name=value): references to them resolve.</summary>
    [Parameter]
    public Hashtable? Define { get; set; }

    [Parameter]
    public GraphFormat Format { get; set; } = GraphFormat.Dot;

    /// <summary>Hides these entities and every entity depending on them, as upstream's -g -X.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    public string[]? ExcludeService { get; set; }

    private readonly List<string> _services = new();

    protected override void ProcessRecord()
    {
        if (Service is not null && !RecordIsAPipedPathItem(nameof(Service)))
            _services.AddRange(Service);
    }

    protected override void EndProcessing()
    {
        var configuration = LoadValidConfiguration(ConfigurationPath.From(Path, LiteralPath), new LoadOptions { Defines = ToDefines(Define) });
        var known = new HashSet<string>(configuration.EntityNames, StringComparer.Ordinal);
        foreach (string name in _services.Concat(ExcludeService ?? Array.Empty<string>()))
            if (!known.Contains(name))
                ThrowTerminatingError(ErrorRecords.UnknownService(name, configuration.Path));
        WriteObject(configuration.WriteGraph(Format, _services.Count > 0 ? _services : null, ExcludeService, Action));
    }
}
