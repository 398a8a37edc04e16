using System.Text.Json;
using System.Threading.Channels;
using MilkCheck.Configuration;
using MilkCheck.Scheduling;

namespace MilkCheck.Journal;

/// <summary>
/// Writes one run's journal as it goes, on its own writer so the run never waits for the disk: the header, one line
/// per final result, the closing line. Each line is flushed when written, so a run killed with SIGKILL leaves every
/// result that was final before it. A journal that cannot be written warns once and never fails the run.
/// </summary>
internal sealed class RunJournal : IRunObserver
{
    private const UnixFileMode JournalFolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode JournalFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly Channel<object> _lines = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action<string, string> _warn;
    private readonly FileStream _file;
    private readonly Task _writer;
    private readonly string _directory;
    private readonly int _keep;
    private int _warned;

    private RunJournal(FileStream file, string directory, int keep, Action<string, string> warn)
    {
        _file = file;
        _directory = directory;
        _keep = keep;
        _warn = warn;
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>The journal file of this run.</summary>
    public string FilePath => _file.Name;

    /// <summary>Opens the run's journal and queues its header; null (after one warning) when it cannot be written,
    /// or when milkcheck.conf says <c>journal: false</c>.</summary>
    public static RunJournal? Open(MilkCheckRun run, Action<string, string> warn)
    {
        GlobalConfiguration global = run.Configuration.Global;
        if (!global.Journal)
            return null;
        string directory = JournalFormat.Directory(global);
        FileStream file;
        try
        {
            var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read };
            if (OperatingSystem.IsWindows())
                System.IO.Directory.CreateDirectory(directory);
            else
            {
                // Outputs may hold anything: the folder and the files are the user's alone.
                System.IO.Directory.CreateDirectory(directory, JournalFolderMode);
                fileOptions.UnixCreateMode = JournalFileMode;
            }
            file = new FileStream(Path.Combine(directory, run.Id + JournalFormat.Extension), fileOptions);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            warn(ErrorIds.JournalUnavailable, $"The run journal cannot be written in {directory} ({e.Message}): the run goes on without it. Set journal_dir in milkcheck.conf, or journal: false.");
            return null;
        }
        var journal = new RunJournal(file, directory, global.JournalKeep, warn);
        RunOptions options = run.Options;
        journal.Queue(new JournalFormat.Header("Header", JournalFormat.Version, run.Id, run.Created, Environment.UserName,
            Environment.MachineName, Environment.ProcessId, run.Action, options.Services.ToArray(),
            new Dictionary<string, object?>
            {
                ["Node"] = options.Nodes?.ToString(),
                ["ExcludeNode"] = options.ExcludedNodes?.ToString(),
                ["ExcludeService"] = options.ExcludedServices.ToArray(),
                ["Tag"] = options.Tags.ToArray(),
                ["Define"] = options.Defines.ToDictionary(d => d.Key, d => d.Value),
                ["NoDependencies"] = options.NoDependencies,
                ["Fanout"] = options.Fanout,
            },
            run.Configuration.Path));
        return journal;
    }

    public void ActionStarted(string service, string action, string target, int nodes) { }

    public void NodeCompleted(NodeResult result) { }

    public void ActionCompleted(ActionResult result) => Queue(new JournalFormat.ResultLine("Result", result));

    public void Warning(string errorId, string message) { }

    /// <summary>Writes the closing line, waits for every line to be on disk, then removes the oldest journals.</summary>
    public async Task CompleteAsync(IReadOnlyList<ActionResult> results, bool interrupted)
    {
        RunSummary summary = RunSummary.FromResults(results);
        Queue(new JournalFormat.End("End", DateTimeOffset.Now, interrupted ? RunState.Interrupted : RunState.Completed,
            new JournalFormat.SummaryLine(summary.Total, summary.Failed, summary.Counts, summary.FailedActions, summary.Duration, summary.ExitCode)));
        _lines.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        Prune();
    }

    private void Queue(object line) => _lines.Writer.TryWrite(line);

    private async Task WriteAsync()
    {
        bool writing = true;
        await foreach (object line in _lines.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (!writing)
                continue; // drained, never written: the run must not wait on a broken journal
            try
            {
                byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(line, line.GetType(), JournalFormat.Json);
                await _file.WriteAsync(bytes).ConfigureAwait(false);
                _file.WriteByte((byte)'\n');
                await _file.FlushAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                writing = false;
                Warn($"The run journal {_file.Name} could not be written ({e.Message}): the rest of the run is not recorded.");
            }
        }
        try
        {
            await _file.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            Warn($"The run journal {_file.Name} could not be closed ({e.Message}).");
        }
    }

    /// <summary>Keeps the newest <c>journal_keep</c> journals (run ids sort by time).</summary>
    private void Prune()
    {
        try
        {
            string[] journals = System.IO.Directory.GetFiles(_directory, "*" + JournalFormat.Extension)
                .Where(f => JournalReader.IsRunId(Path.GetFileNameWithoutExtension(f)))
                .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
                .ToArray();
            foreach (string old in journals.Take(Math.Max(0, journals.Length - _keep)))
                File.Delete(old);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warn($"Old run journals in {_directory} could not be removed ({e.Message}).");
        }
    }

    private void Warn(string message)
    {
        if (Interlocked.Exchange(ref _warned, 1) == 0)
            _warn(ErrorIds.JournalUnavailable, message);
    }
}
