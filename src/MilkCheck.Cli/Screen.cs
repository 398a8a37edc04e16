using System.Text.RegularExpressions;

namespace MilkCheck.Cli;

/// <summary>
/// Upstream's console display (spec §5.4.1, §5.4.7): every line of the run on stdout, and — only when stdout and
/// stderr are both terminals — the ephemeral running-tasks line on stderr (<c>[svc[1-2]]</c> then <c>\r</c>),
/// with each stdout line padded with spaces over what the previous line left on screen. Off a terminal it writes
/// the lines as they are. One lock for everything written, so that lines from the engine's threads and the
/// interactive status never mix.
/// </summary>
internal sealed partial class Screen
{
    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly object _lock;
    private readonly bool _showRunning;
    private readonly int _width;

    /// <summary>How many columns the last line drawn took (escape sequences counted, as upstream counts them).</summary>
    private int _previous;

    /// <param name="showRunning">Both stdout and stderr are terminals (and the output is not a Nagios plugin's).</param>
    /// <param name="width">The terminal's width, not capped (the status lines cap it themselves).</param>
    public Screen(TextWriter output, TextWriter error, object outputLock, bool showRunning, int width)
    {
        _out = output;
        _error = error;
        _lock = outputLock;
        _showRunning = showRunning;
        _width = width;
    }

    public bool ShowsRunning => _showRunning;

    /// <summary>Draws several lines with nothing of another thread between them (an entity's block and status line).</summary>
    public void Together(Action draw)
    {
        lock (_lock)
            draw();
    }

    /// <summary>Upstream's <c>output()</c>: the text and a newline, padded to erase the previous line on a terminal.</summary>
    public void Line(string text)
    {
        lock (_lock)
        {
            _out.Write(text);
            if (_showRunning)
            {
                int pad = Math.Min(_previous, _width) - text.Length + EscapeLength(text);
                if (pad > 0)
                    _out.Write(new string(' ', pad));
            }
            _out.Write('\n');
            _out.Flush();
            _previous = text.Length;
        }
    }

    /// <summary>Text written as it is (help, the report, the confirmation question): it leaves the padding state alone.</summary>
    public void Raw(string text)
    {
        lock (_lock)
        {
            _out.Write(text);
            _out.Flush();
        }
    }

    /// <summary>
    /// The running-tasks line: the short names of the services with a running action, folded as a node set, on
    /// stderr, ended by a carriage return so that the next line overwrites it. Nothing when none runs.
    /// </summary>
    public void Running(IReadOnlyCollection<string> services)
    {
        if (!_showRunning || services.Count == 0)
            return;
        string shown = "[" + RunningActions.Fold(services) + "]";
        if (shown.Length >= _width)
            shown = shown[..Math.Max(0, _width - 4)] + "...]";
        lock (_lock)
        {
            _error.Write(shown);
            int pad = Math.Min(_previous, _width) - shown.Length;
            if (pad > 0)
                _error.Write(new string(' ', pad));
            _error.Write('\r');
            _error.Flush();
            _previous = shown.Length;
        }
    }

    private static int EscapeLength(string text)
    {
        int length = 0;
        foreach (Match match in Escape().Matches(text))
            length += match.Length;
        return length;
    }

    [GeneratedRegex(@"\u001b\[[0-9;]*m")]
    private static partial Regex Escape();
}
