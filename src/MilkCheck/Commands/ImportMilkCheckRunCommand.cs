using System.Management.Automation;
using MilkCheck.Journal;

namespace MilkCheck.Commands;

/// <summary>
/// <para type="synopsis">Writes the ActionResults of a recorded run, typed, as they were written.</para>
/// </summary>
/// <example><code>Get-MilkCheckRun -Last 1 | Import-MilkCheckRun | Where-Object Status -ne Done | Invoke-MilkCheckAction start</code></example>
/// <example><code>Import-MilkCheckRun -Path ~/.local/state/milkcheck/runs/20261203-081500-a1b2c3.jsonl</code></example>
[Cmdlet(VerbsData.Import, "MilkCheckRun", DefaultParameterSetName = IdSet)]
[OutputType(typeof(ActionResult))]
public sealed class ImportMilkCheckRunCommand : MilkCheckCmdletBase
{
    private const string IdSet = "Id";
    private const string PathSet = "Path";

    /// <summary>Run ids, as Get-MilkCheckRun lists them (binds from its output).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("RunId")]
    public string[] Id { get; set; } = Array.Empty<string>();

    /// <summary>A journal file.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    public string Path { get; set; } = string.Empty;

    private string? _directory;

    protected override void ProcessRecord()
    {
        if (ParameterSetName == PathSet)
        {
            Import(GetUnresolvedProviderPathFromPSPath(Path), Path);
            return;
        }
        _directory ??= JournalFormat.Directory(LoadGlobalConfiguration().Global);
        foreach (string id in Id)
            Import(JournalReader.PathOf(_directory, id), id);
    }

    private void Import(string file, string given)
    {
        if (!File.Exists(file))
        {
            WriteError(new ErrorRecord(new FileNotFoundException($"No run journal '{given}' ({file}): Get-MilkCheckRun lists the recorded runs.", file),
                ErrorIds.RunNotFound, ErrorCategory.ObjectNotFound, given));
            return;
        }
        var damaged = new List<ErrorRecord>();
        foreach (ActionResult result in JournalReader.ReadResults(file, (line, message) => damaged.Add(new ErrorRecord(
            new InvalidDataException($"{file}:{line}: this journal line is damaged ({message}); the other lines are imported."),
            ErrorIds.JournalDamaged, ErrorCategory.InvalidData, file))))
        {
            FlushErrors(damaged);
            WriteObject(result);
        }
        FlushErrors(damaged);
    }

    private void FlushErrors(List<ErrorRecord> errors)
    {
        foreach (ErrorRecord error in errors)
            WriteError(error);
        errors.Clear();
    }
}
