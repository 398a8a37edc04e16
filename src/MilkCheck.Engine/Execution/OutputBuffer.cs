using System.Buffers;
using System.Text;

namespace MilkCheck.Execution;

/// <summary>
/// One node's output: stdout and stderr in arrival order (as upstream merges them), without the final newline,
/// capped at <c>limit</c> characters. Streams are read as bytes in chunks, so memory stays bounded whatever a
/// command prints (one endless line included): the head up to the cap is kept, the cut is said, and the rest is
/// read and dropped so the writer never blocks on a full pipe. Line ends are read as upstream's line reader does
/// (<c>\n</c>, <c>\r\n</c> and a lone <c>\r</c> each end a line). Thread-safe: one reader per stream, any number of
/// streams.
/// </summary>
internal sealed class OutputBuffer
{
    private const int ChunkBytes = 16 * 1024;

    private readonly StringBuilder _text = new();
    private readonly int _limit;
    private readonly object _gate = new();
    private bool _truncated;

    public OutputBuffer(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        _limit = limit;
    }

    public bool Truncated
    {
        get
        {
            lock (_gate)
                return _truncated;
        }
    }

    /// <summary>
    /// Reads <paramref name="stream"/> to its end (or until <paramref name="cancellationToken"/>), adding its text.
    /// Whole lines go in at once, so a partial line of one stream is not split by another stream's line; a partial
    /// line longer than the room left goes in at once (it is cut there anyway).
    /// </summary>
    public async Task ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        Decoder decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
        byte[] bytes = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        char[] chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(ChunkBytes));
        var line = new StringBuilder(); // this stream's partial line, never longer than the room left (plus one chunk)
        bool afterCarriageReturn = false;
        try
        {
            while (true)
            {
                int read = await stream.ReadAsync(bytes.AsMemory(0, ChunkBytes), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                    break;
                if (Truncated)
                    continue; // drained and dropped: the writer must never block on a full pipe
                int count = decoder.GetChars(bytes, 0, read, chars, 0, flush: false);
                int committed = 0; // chars of `line` ending with the last complete line
                for (int i = 0; i < count; i++)
                {
                    char c = chars[i];
                    if (c == '\n' && afterCarriageReturn)
                    {
                        afterCarriageReturn = false; // \r\n: the \r already ended the line
                        continue;
                    }
                    afterCarriageReturn = c == '\r';
                    line.Append(c is '\r' ? '\n' : c);
                    if (c is '\n' or '\r')
                        committed = line.Length;
                }
                if (committed > 0)
                {
                    Commit(line, committed);
                    line.Remove(0, committed);
                }
                if (line.Length > Room())
                {
                    Commit(line, line.Length);
                    line.Clear();
                }
            }
            if (!Truncated)
            {
                int count = decoder.GetChars(bytes, 0, 0, chars, 0, flush: true);
                line.Append(chars, 0, count);
                if (line.Length > 0)
                {
                    line.Append('\n'); // the stream's last line ends here, whatever comes from the other stream
                    Commit(line, line.Length);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>The cap, in characters.</summary>
    public int Limit => _limit;

    /// <summary>Adds one complete line (without its newline), for writers that split lines themselves (SSH.NET's
    /// output sink); past the cap the head is kept and the cut is said.</summary>
    public void Add(string? line)
    {
        if (line is null)
            return;
        var whole = new StringBuilder(line.Length + 1).Append(line).Append('\n');
        Commit(whole, whole.Length);
    }

    private int Room()
    {
        lock (_gate)
            return _limit - _text.Length;
    }

    private void Commit(StringBuilder source, int length)
    {
        lock (_gate)
        {
            if (_truncated)
                return;
            int room = _limit - _text.Length;
            if (length <= room)
            {
                _text.Append(source, 0, length);
                return;
            }
            // Keep the head; never end on half a surrogate pair.
            int keep = room;
            if (keep > 0 && char.IsHighSurrogate(source[keep - 1]))
                keep--;
            _text.Append(source, 0, keep);
            _truncated = true;
        }
    }

    /// <summary>The output without its final newline; when cut, a last line says so.</summary>
    public string Text
    {
        get
        {
            lock (_gate)
            {
                int length = _text.Length > 0 && _text[^1] == '\n' ? _text.Length - 1 : _text.Length;
                string text = _text.ToString(0, length);
                return _truncated ? text + $"\n[output truncated at {_limit} characters]" : text;
            }
        }
    }
}
