using System.Management.Automation;

namespace MilkCheck.Commands;

/// <summary>
/// <para type="synopsis">Summarises the ActionResults of a run: upstream's counts and exit code (0, 3 or 6).</para>
/// </summary>
/// <example><code>exit ($r | Measure-MilkCheckResult).ExitCode</code></example>
[Cmdlet(VerbsDiagnostic.Measure, "MilkCheckResult")]
[OutputType(typeof(RunSummary))]
public sealed class MeasureMilkCheckResultCommand : MilkCheckCmdletBase
{
    private readonly List<ActionResult> _results = new();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public ActionResult[] InputObject { get; set; } = Array.Empty<ActionResult>();

    protected override void ProcessRecord() => _results.AddRange(InputObject);

    protected override void EndProcessing() => WriteObject(RunSummary.FromResults(_results));
}
