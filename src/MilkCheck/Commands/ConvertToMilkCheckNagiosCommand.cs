using System.Management.Automation;

namespace MilkCheck.Commands;

/// <summary>
/// <para type="synopsis">Turns the ActionResults of a run into Nagios plugin text (one string): the first line
/// <c>MILKCHECK OK|WARNING|CRITICAL|UNKNOWN - text | perfdata</c>, then one line per failed or warning action, exactly as
/// <c>milkcheck --nagios</c> prints it.</para>
/// </summary>
/// <example><code>$r = Invoke-MilkCheckAction status -ErrorAction SilentlyContinue; $r | ConvertTo-MilkCheckNagios</code></example>
[Cmdlet(VerbsData.ConvertTo, "MilkCheckNagios")]
[OutputType(typeof(string))]
public sealed class ConvertToMilkCheckNagiosCommand : MilkCheckCmdletBase
{
    private readonly List<ActionResult> _results = new();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public ActionResult[] InputObject { get; set; } = Array.Empty<ActionResult>();

    protected override void ProcessRecord() => _results.AddRange(InputObject);

    protected override void EndProcessing() => WriteObject(NagiosText.Format(_results));
}
