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

    /// <summary>Adds every line of a stream until it ends.</summary>
    public async Task ReadAsync(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            Add(line);
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
