namespace MilkCheck.Cli;

/// <summary>
/// stdout or stderr whose reader may go away (<c>milkcheck status | head -1</c>): once a write fails, later ones
/// are dropped, as System.Console does, and the run goes on to its end and exit code instead of failing in
/// whichever thread wrote.
/// </summary>
internal sealed class ClosedReaderTolerantStream : Stream
{
    private readonly Stream _inner;
    private volatile bool _broken;

    public ClosedReaderTolerantStream(Stream inner) => _inner = inner;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_broken)
            return;
        try
        {
            _inner.Write(buffer);
        }
        catch (IOException)
        {
            _broken = true;
        }
    }

    public override void Flush()
    {
        if (_broken)
            return;
        try
        {
            _inner.Flush();
        }
        catch (IOException)
        {
            _broken = true;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _inner.Dispose();
        base.Dispose(disposing);
    }
}
