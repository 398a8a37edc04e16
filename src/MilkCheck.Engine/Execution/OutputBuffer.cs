using System.Text;

namespace MilkCheck.Execution;

/// <summary>
/// One node's output: lines from stdout and stderr in arrival order (as upstream merges them), joined by '\n'
/// without the final newline, capped; past the cap the text is cut and the cut is said. Thread-safe.
/// </summary>
internal sealed class OutputBuffer
{
    private readonly StringBuilder _text = new();
    private readonly int _limit;
    private readonly object _gate = new();

    public OutputBuffer(int limit) => _limit = limit;

    public bool Truncated { get; private set; }

    /// <summary>The cap, in characters.</summary>
    public int Limit => _limit;

    public void Add(string? line)
    {
        if (line is null)
            return;
        lock (_gate)
        {
            if (Truncated)
                return;
            if (_text.Length + line.Length + 1 > _limit)
            {
                Truncated = true;
                return;
            }
            if (_text.Length > 0)
                _text.Append('\n');
            _text.Append(line);
        }
    }

    public string Text
    {
        get
        {
            lock (_gate)
                return Truncated ? _text + $"\n[output truncated at {_limit} characters]" : _text.ToString();
        }
    }
}
