using System.Text.RegularExpressions;
using MilkCheck.Execution;
using MilkCheck.NodeSets;
using MilkCheck.Scheduling;

namespace MilkCheck.Cli;

/// <summary>
/// Upstream's console text of a run (spec §5.3, §5.4): the command block when an action starts (verbosity ≥ 2), the
/// result block of an action, then the status line of its service, each followed on a terminal by the
/// running-tasks line, at the moments upstream draws it (an action scheduled or started, an action over, a line
/// printed). Called on the engine's worker threads: what one event draws is drawn together (the screen's lock), and
/// every line is flushed as written so that a pipe or a log file sees the run as it goes.
/// </summary>
internal sealed partial class TextPrinter : IRunObserver
{
    private readonly Screen _screen;
    private readonly RunningActions _running;
    private readonly Log _log;
    private readonly int _verbosity;
    private readonly int _width;
    private readonly Colours _colours;
    private readonly IReadOnlyDictionary<(string Service, string Action), PlannedAction> _planned;
    private readonly CancellationToken _stopped;

    /// <param name="running">The running actions this printer keeps up to date (the interactive status reads them).</param>
    /// <param name="stopped">Once the run is stopped (Ctrl-C, --timeout), upstream prints nothing more of it.</param>
    public TextPrinter(Screen screen, RunningActions running, Log log, int verbosity, int width, Colours colours,
        IEnumerable<PlannedAction> planned, CancellationToken stopped)
    {
        _stopped = stopped;
        _screen = screen;
        _running = running;
        _log = log;
        _verbosity = verbosity;
        _width = width;
        _colours = colours;
        var byAction = new Dictionary<(string, string), PlannedAction>();
        foreach (PlannedAction action in planned)
            byAction.TryAdd((action.Service, action.Action), action);
        _planned = byAction;
    }

    /// <summary>-vv: upstream's delay line, each time an attempt waits its delay (spec §5.4.4).</summary>
    public void ActionDelayed(string service, string action, TimeSpan delay, string target, int attempt)
    {
        if (attempt > 1)
            AttemptOver(service, action);
        _running.Scheduled(service, action, target, delay, attempt - 1);
        if (_verbosity < 3)
            return;
        _screen.Together(() =>
        {
            _screen.Line($"{_colours.Paint(action, Colours.Magenta)} {service} {_colours.Paint("will fire in", Colours.Magenta)} {Seconds(delay)} s");
            ShowRunning();
        });
    }

    /// <summary>-v: the command block is printed for each attempt, retries too (spec §5.3).</summary>
    public void ActionRetried(string service, string action, string target, int attempt)
    {
        if (!_running.WaitedDelay(service, action))
            AttemptOver(service, action); // with a delay, the delay line's event said it
        Start(service, action, target, attempt);
    }

    /// <summary>-v: upstream's command block, with the target the action runs on (after -n/-x and the nodes that
    /// failed in its dependencies).</summary>
    public void ActionStarted(string service, string action, string target, int nodes) => Start(service, action, target, 1);

    private void Start(string service, string action, string target, int attempt)
    {
        _running.Scheduled(service, action, target, TimeSpan.Zero, attempt);
        string command = string.Empty;
        bool local = target.Length == 0;
        if (_planned.TryGetValue((service, action), out PlannedAction? planned))
        {
            local |= planned.Mode == ExecutionMode.Local;
            command = planned.Command;
        }
        _screen.Together(() =>
        {
            if (_verbosity >= 1)
                ShowRunning(); // upstream's "service started"
            if (_verbosity < 2)
                return;
            _screen.Line($"{_colours.Paint(action, Colours.Magenta)} {service} {_colours.Paint("on", Colours.Magenta)} {(local ? "localhost" : target)}\n > {_colours.Paint(command, Colours.Cyan)}");
            ShowRunning();
        });
    }

    /// <summary>The previous attempt is over before a retry: upstream shows the running line without it.</summary>
    private void AttemptOver(string service, string action)
    {
        _running.AttemptOver(service, action);
        if (_verbosity >= 1)
            ShowRunning();
    }

    public void NodeCompleted(NodeResult result) => _running.NodeOver(result.Service, result.Action, result.Node);

    public void ActionCompleted(ActionResult result)
    {
        _running.EntityOver(result.Service);
        if (_stopped.IsCancellationRequested)
            return;
        // One entity's lines stay together, as upstream (one thread) prints them.
        _screen.Together(() =>
        {
            if (_verbosity >= 1)
                ShowRunning(); // upstream's "service complete" when its action leaves the running ones
            foreach (ActionResult check in result.Checks)
                Block(check);
            if (result.Kind == EntityKind.Service)
                Block(result);
            if (ShowsStatusLine(result.Status))
            {
                _screen.Line(StatusLine(result));
                ShowRunning();
            }
        });
    }

    public void Warning(string errorId, string message) => _log.Write(LogLevel.Warning, message);

    /// <summary>Seconds as upstream prints a configured delay or timeout: <c>1</c>, <c>0.3</c>.</summary>
    internal static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    private void ShowRunning() => _screen.Running(_running.Services());

    /// <summary>Upstream never prints Missing or Locked; Skipped from verbosity 3 (spec §5.3).</summary>
    private bool ShowsStatusLine(ActionStatus status) => status switch
    {
        ActionStatus.Done or ActionStatus.Warning or ActionStatus.Error or ActionStatus.Timeout or ActionStatus.DependencyError => true,
        ActionStatus.Skipped => _verbosity >= 3,
        ActionStatus.Locked or ActionStatus.Missing => false,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown action status."),
    };

    private void Block(ActionResult action)
    {
        bool ran = action.Nodes.Count > 0;
        bool show = action.Status switch
        {
            ActionStatus.Error or ActionStatus.Timeout => _verbosity >= 1 && ran,
            ActionStatus.Done or ActionStatus.Warning => _verbosity >= 3 && ran,
            ActionStatus.DependencyError or ActionStatus.Skipped or ActionStatus.Locked or ActionStatus.Missing => false,
            _ => throw new ArgumentOutOfRangeException(nameof(action), action.Status, "Unknown action status."),
        };
        if (!show)
            return;
        string block = ResultText.ActionBlock(action, errorsOnly: _verbosity < 2);
        _screen.Line(_colours.Enabled ? PaintBlock(block) : block);
        ShowRunning();
    }

    /// <summary>The label padded to E−13 columns, then the tag; coloured, the tag follows the label directly (spec §5.4.1).</summary>
    private string StatusLine(ActionResult result)
    {
        string plain = ResultText.StatusLine(result, _width);
        if (!_colours.Enabled)
            return plain;
        string label = plain[..^13];
        string tag = ResultText.Tag(result.Status);
        string colour = result.Status switch
        {
            ActionStatus.Done => Colours.Green,
            ActionStatus.Warning or ActionStatus.Skipped => Colours.Yellow,
            _ => Colours.Red,
        };
        return $"{label}[{_colours.Paint(tag[1..^1], colour)}]";
    }

    /// <summary>Colours of the action block (spec §5.4.3): action magenta, node sets cyan, exit codes, <c>timeout</c> red.</summary>
    private string PaintBlock(string block)
    {
        var lines = block.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            Match match;
            if (i == 0 && (match = HeaderLine().Match(line)).Success)
                lines[i] = _colours.Paint(match.Groups[1].Value, Colours.Magenta) + match.Groups[2].Value;
            else if ((match = ExitLine().Match(line)).Success)
                lines[i] = $" > {_colours.Paint(match.Groups[1].Value, Colours.Cyan)} exited with {_colours.Paint(match.Groups[2].Value, match.Groups[2].Value == "0" ? Colours.Green : Colours.Red)}";
            else if ((match = TimeoutLine().Match(line)).Success)
                lines[i] = $" > {_colours.Paint(match.Groups[1].Value, Colours.Cyan)} has {_colours.Paint("timeout", Colours.Red)}";
            else if ((match = OutputLine().Match(line)).Success)
                lines[i] = $" > {_colours.Paint(match.Groups[1].Value, Colours.Cyan)}: {match.Groups[2].Value}";
        }
        return string.Join('\n', lines);
    }

    [GeneratedRegex(@"^(\S+)( .* ran in .*)$")]
    private static partial Regex HeaderLine();

    [GeneratedRegex(@"^ > (\S+) exited with (-?\d+)$")]
    private static partial Regex ExitLine();

    [GeneratedRegex(@"^ > (\S+) has timeout$")]
    private static partial Regex TimeoutLine();

    [GeneratedRegex(@"^ > ([^:\s]+): (.*)$")]
    private static partial Regex OutputLine();
}
