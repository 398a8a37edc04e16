using System.Text;

namespace MilkCheck.Execution.Ssh;

/// <summary>
/// A write-only stream that SSH.NET writes a channel's stdout or stderr into as the data arrives (on the
/// connection's listener thread): bytes are decoded and split into lines straight into the node's
/// <see cref="OutputBuffer"/>, so nobody reads the command's output and no thread waits for it.
/// Lines end at \n, \r or \r\n, as <see cref="StreamReader.ReadLine"/> splits them; past the buffer's cap the
/// bytes are dropped. Disposing it (SSH.NET does when the channel ends) adds the last unterminated line and
/// completes <see cref="Completion"/>.
/// </summary>
internal sealed class OutputSink : WriteOnlyStream
{
    private readonly OutputBuffer _buffer;
    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetDecoder();
    private readonly StringBuilder _line = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private char[] _chars = new char[1024];
    private bool _afterCarriageReturn;
    private bool _ended;

    public OutputSink(OutputBuffer buffer) => _buffer = buffer;

    /// <summary>Completes once the stream was disposed: every byte written has reached the buffer.</summary>
    public Task Completion => _completion.Task;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_gate)
        {
            if (_ended || _buffer.Truncated)
                return;
            int needed = _decoder.GetCharCount(buffer, flush: false);
            if (needed > _chars.Length)
                _chars = new char[Math.Max(needed, _chars.Length * 2)];
            int decoded = _decoder.GetChars(buffer, _chars, flush: false);
            Split(_chars.AsSpan(0, decoded));
        }
    }

    private void Split(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (c == '\n' && _afterCarriageReturn)
            {
                _afterCarriageReturn = false;
                continue;
            }
            _afterCarriageReturn = c == '\r';
            if (c is '\n' or '\r')
            {
                _buffer.Add(_line.ToString());
                _line.Clear();
                continue;
            }
            _line.Append(c);
            if (_line.Length > _buffer.Limit)
            {
                _buffer.Add(_line.ToString()); // longer than the cap: marks the buffer truncated
                _line.Clear();
                return;
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                if (!_ended)
                {
                    _ended = true;
                    if (!_buffer.Truncated)
                    {
                        int decoded = _decoder.GetChars(ReadOnlySpan<byte>.Empty, _chars, flush: true);
                        Split(_chars.AsSpan(0, decoded));
                        if (_line.Length > 0)
                            _buffer.Add(_line.ToString());
                    }
                    _line.Clear();
                }
            }
            _completion.TrySetResult();
        }
        base.Dispose(disposing);
    }
}
