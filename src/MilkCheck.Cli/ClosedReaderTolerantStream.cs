namespace MilkCheck.Cli;

/// <summary>
/// stdout or stderr whose reader may go away (<c>milkcheck status | head -1</c>): once a write fails, later ones
/// are dropped, as System.Console does, and the run goes on to its end and exit code instead of failing in
/// whichever thread wrote.
/// </summary>
internal sealed class ClosedReaderTolerantStream : MilkCheck.Execution.WriteOnlyStream
{
    private readonly Stream _inner;
    private volatile bool _broken;

    public ClosedReaderTolerantStream(Stream inner) => _inner = inner;

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

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _inner.Dispose();
        base.Dispose(disposing);
    }
}
