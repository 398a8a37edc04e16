using System.Management.Automation;

namespace MilkCheck.Commands;

/// <summary>
/// <para type="synopsis">Summarises the ActionResults of a run: upstream's counts and exit code (0, 3 or 6; 9 without any result).</para>
/// </summary>
/// <example><code>exit ($r | Measure-MilkCheckResult).ExitCode</code></example>
[Cmdlet(VerbsDiagnostic.Measure, "MilkCheckResult")]
[OutputType(typeof(RunSummary))]
public sealed class MeasureMilkCheckResultCommand : MilkCheckCmdletBase
{
    private readonly List<ActionResult> _results = new();

    /// <summary>
    /// The results of one run, live or deserialized (Receive-Job, Import-Clixml: DeserializedResultConverter binds
    /// them). None, or $null, is a run that never started.
    /// </summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [AllowNull]
    [AllowEmptyCollection]
    public ActionResult?[]? InputObject { get; set; }

    protected override void ProcessRecord()
    {
        if (InputObject is not null)
            _results.AddRange(InputObject.OfType<ActionResult>());
    }

    protected override void EndProcessing()
    {
        if (_results.Count == 0)
            WriteWarning($"No result was given: the run did not start (or its output was not kept), so the exit code is {RunSummary.NoResultExitCode}.");
        WriteObject(RunSummary.FromResults(_results));
    }
}
