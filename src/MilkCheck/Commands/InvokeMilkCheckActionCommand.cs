using System.Collections;
using System.Management.Automation;
using MilkCheck.Configuration;
using MilkCheck.Execution;
using MilkCheck.NodeSets;
using MilkCheck.Scheduling;
using MilkCheck.Variables;

namespace MilkCheck.Commands;

/// <summary>
/// <para type="synopsis">Runs an action (start, stop, status…) over the services of a MilkCheck configuration and
/// writes one ActionResult per reached service or group as soon as it is final.</para>
/// </summary>
/// <example><code>Invoke-MilkCheckAction status -Service lustre_servers</code></example>
/// <example><code>$r | Where-Object Status -ne Done | Invoke-MilkCheckAction start</code></example>
[Cmdlet(VerbsLifecycle.Invoke, "MilkCheckAction", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PathSet)]
[OutputType(typeof(ActionResult))]
public sealed class InvokeMilkCheckActionCommand : RunCmdletBase
{
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(ActionNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Action { get; set; } = string.Empty;

    /// <summary>Entry services: top-level names or dotted member names; all roots when omitted.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    public string[]? Service { get; set; }

    /// <summary>The configuration (wildcards must match one item); binds from a result's Path, so a piped rerun needs none.</summary>
    [Parameter(ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string? Path { get; set; }

    /// <summary>The configuration directory or YAML file, taken as written (no wildcards); binds from PSPath, so Get-Item output pipes in.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string? LiteralPath { get; set; }

    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Restricts every target to these nodes (upstream -n): node set expressions, united; piped FailedNodes are united too.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("FailedNodes")]
    [AllowEmptyString]
    [AllowEmptyCollection]
    [AllowNull]
    [ArgumentCompleter(typeof(NodeGroupCompleter))]
    public string[]? Node { get; set; }

    /// <summary>Removes these nodes from every target (upstream -x): node set expressions, united.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(NodeGroupCompleter))]
    public string[]? ExcludeNode { get; set; }

    /// <summary>Top-level services or groups that become Locked (upstream -X).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    public string[]? ExcludeService { get; set; }

    /// <summary>Only top-level entities carrying one of these tags run (upstream -t; commas split).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(TagCompleter))]
    public string[]? Tag { get; set; }

    /// <summary>Variables replacing file-level ones (upstream -D name=value).</summary>
    [Parameter]
    public Hashtable? Define { get; set; }

    /// <summary>Only the entries run, without their dependencies (upstream --nodeps).</summary>
    [Parameter]
    public SwitchParameter NoDependencies { get; set; }

    /// <summary>Replaces the default fanout (milkcheck.conf, else 64).</summary>
    [Parameter]
    [ValidateRange(1, 100000)]
    public int Fanout { get; set; }

    /// <summary>Writes upstream's SUMMARY block to the information stream after the last result.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    /// <summary>Skips the confirm_actions question (upstream -y).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private readonly List<string> _services = new();
    private readonly List<string> _nodes = new();

    protected override void ProcessRecord()
    {
        if (Service is not null && !RecordIsAPipedPathItem(nameof(Service)))
            _services.AddRange(Service.Where(s => !string.IsNullOrWhiteSpace(s)));
        if (Node is not null)
            _nodes.AddRange(Node.Where(n => !string.IsNullOrWhiteSpace(n)));
    }

    protected override void EndProcessing()
    {
        IReadOnlyDictionary<string, string> defines = ToDefines(Define);
        MilkCheckConfiguration configuration = LoadValidConfiguration(ConfigurationPath.From(Path, LiteralPath),
            new LoadOptions { Defines = defines, UndefinedRunVariableIsError = true });
        if (ExpandNamePatterns(_services, configuration.EntityNames, nameof(Service)) is not { } services)
            return;
        _services.Clear();
        _services.AddRange(services);
        MilkCheckRun run;
        try
        {
            // A preview runs nothing: %(...) in commands and -Define values is shown as written.
            // The session's kept connections (connection_persist): a preview connects nowhere, so it makes none.
            ConnectionPool? connections = IsWhatIf() || configuration.Global.ConnectionPersist <= TimeSpan.Zero
                ? null : SessionConnections.For(System.Management.Automation.Runspaces.Runspace.DefaultRunspace);
            run = MilkCheckRun.Create(configuration, BuildOptions(defines), IsWhatIf() ? new UnexpandedCommandSubstitution() : null,
                connections: connections);
        }
        catch (RunSetupException e)
        {
            ThrowTerminatingError(ErrorRecords.RunSetup(e));
            return;
        }
        foreach (var (_, message) in run.Warnings)
            WriteWarning(message);
        WritePlanVerbose(run, _services.Count > 0 ? string.Join(", ", _services) : "every root service");
        if (IsWhatIf())
        {
            foreach (PlannedAction action in run.Preview)
                ShouldProcess(Describe(action), null, null);
            return;
        }
        string summary = $"Run '{Action}' on {(_services.Count > 0 ? string.Join(", ", _services.Distinct()) : "every service")} ({run.Preview.Count} action(s))";
        if (!ShouldProcess(summary, $"{summary}?", "Invoke-MilkCheckAction"))
            return;
        if (configuration.Global.ConfirmActions.Contains(Action, StringComparer.Ordinal) && !Force && !ConfirmConfiguredAction(Action))
            return;
        WarnAboutFileLimit(run.DefaultFanout);
        IReadOnlyList<ActionResult> written = ExecuteRun(run, out ErrorRecord? stopError);
        if (Summary || configuration.Global.Report != ReportMode.No)
        {
            var message = new HostInformationMessage { Message = RunSummary.FromResults(written).ToString(), NoNewLine = false };
            WriteInformation(message, new[] { "PSHOST", "MilkCheck.Summary" });
        }
        if (stopError is not null)
            WriteError(stopError);
    }

    private RunOptions BuildOptions(IReadOnlyDictionary<string, string> defines)
    {
        return new RunOptions
        {
            Action = Action,
            Services = _services.Distinct(StringComparer.Ordinal).ToArray(),
            Nodes = UniteNodeSetsOrThrow(_nodes),
            ExcludedNodes = UniteNodeSetsOrThrow(ExcludeNode ?? Array.Empty<string>()),
            ExcludedServices = ExcludeService ?? Array.Empty<string>(),
            Tags = (Tag ?? Array.Empty<string>()).SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray(),
            Defines = defines,
            NoDependencies = NoDependencies,
            Fanout = MyInvocation.BoundParameters.ContainsKey(nameof(Fanout)) ? Fanout : null,
            StopAtFirstFailure = ErrorActionIsStop(),
        };
    }
}
