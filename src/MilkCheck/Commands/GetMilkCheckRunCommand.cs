using System.Management.Automation;
using MilkCheck.Journal;

namespace MilkCheck.Commands;

/// <summary>
/// <para type="synopsis">Lists the runs recorded in the run journal, newest first.</para>
/// </summary>
/// <example><code>Get-MilkCheckRun -Last 5</code></example>
/// <example><code>Get-MilkCheckRun -Last 1 | Import-MilkCheckRun | Where-Object Status -ne Done</code></example>
[Cmdlet(VerbsCommon.Get, "MilkCheckRun")]
[OutputType(typeof(RunRecord))]
public sealed class GetMilkCheckRunCommand : MilkCheckCmdletBase
{
    /// <summary>Run ids (wildcards allowed); every run when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("RunId")]
    [SupportsWildcards]
    public string[]? Id { get; set; }

    /// <summary>Only the newest N runs (after the other filters).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Last { get; set; }

    /// <summary>Only the runs of this action (start, stop, status…).</summary>
    [Parameter]
    public string? Action { get; set; }

    private readonly List<WildcardPattern> _ids = new();

    protected override void ProcessRecord()
    {
        foreach (string id in Id ?? Array.Empty<string>())
            _ids.Add(new WildcardPattern(id, WildcardOptions.IgnoreCase));
    }

    protected override void EndProcessing()
    {
        var (global, _) = LoadGlobalConfiguration();
        string directory = JournalFormat.Directory(global);
        WriteVerbose($"Reading the run journal in {directory}.");
        IEnumerable<RunRecord> records = JournalReader.List(directory)
            .Where(r => _ids.Count == 0 || _ids.Any(p => p.IsMatch(r.Id)))
            .Where(r => Action is null || string.Equals(r.Action, Action, StringComparison.Ordinal));
        if (Last > 0)
            records = records.Take(Last);
        foreach (RunRecord record in records)
            WriteObject(record);
    }
}
