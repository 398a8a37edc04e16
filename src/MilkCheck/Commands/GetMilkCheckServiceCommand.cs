using System.Collections;
using System.Management.Automation;
using MilkCheck.Configuration;

namespace MilkCheck.Commands;

/// <summary>
/// <para type="synopsis">Lists the services and groups of a MilkCheck configuration.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "MilkCheckService", DefaultParameterSetName = PathSet)]
[OutputType(typeof(ServiceInfo))]
public sealed class GetMilkCheckServiceCommand : MilkCheckCmdletBase
{
    /// <summary>Full (dotted) names; wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    public string[]? Name { get; set; }

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

    /// <summary>Entities carrying one of these tags, themselves or through an enclosing group.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(TagCompleter))]
    public string[]? Tag { get; set; }

    private readonly List<string> _names = new();

    protected override void ProcessRecord()
    {
        if (Name is not null && !RecordIsAPipedPathItem(nameof(Name)))
            _names.AddRange(Name);
    }

    protected override void EndProcessing()
    {
        var configuration = LoadValidConfiguration(ConfigurationPath.From(Path, LiteralPath), new LoadOptions { Defines = ToDefines(Define) });
        IReadOnlyList<ServiceInfo> services = configuration.GetServices();
        var patterns = (_names.Count > 0 ? _names.Distinct(StringComparer.Ordinal) : new[] { "*" }).Select(n => (Text: n, Pattern: new WildcardPattern(n, WildcardOptions.IgnoreCase))).ToList();
        var matched = new HashSet<string>(StringComparer.Ordinal);
        foreach (ServiceInfo service in services)
        {
            var hits = patterns.Where(p => p.Pattern.IsMatch(service.Name)).ToList();
            if (hits.Count == 0)
                continue;
            foreach (var hit in hits)
                matched.Add(hit.Text);
            if (Tag is { Length: > 0 } && !configuration.HasTag(service.Name, Tag))
                continue;
            WriteObject(service);
        }
        foreach (var (text, _) in patterns)
            if (!matched.Contains(text) && !WildcardPattern.ContainsWildcardCharacters(text))
                WriteError(ErrorRecords.UnknownService(text, configuration.Path));
    }
}
