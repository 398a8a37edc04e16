using System.Text;
using MilkCheck.Execution;
using Xunit;

namespace MilkCheck.Engine.Tests.Execution;

public sealed class OutputBufferTests
{
    [Fact]
    public async Task MultiByteCharacters_SplitAcrossReads_AreDecodedWhole()
    {
        var buffer = new OutputBuffer(1000);
        await buffer.ReadAsync(new ChunkedStream(Encoding.UTF8.GetBytes("héllo → 🐄\n"), chunk: 1));
        Assert.Equal("héllo → 🐄", buffer.Text);
    }

    [Fact]
    public async Task OneEndlessLine_KeepsItsHeadUpToTheCap()
    {
        var buffer = new OutputBuffer(10);
        await buffer.ReadAsync(new ChunkedStream(Encoding.UTF8.GetBytes(new string('x', 100_000)), chunk: 4096));
        Assert.True(buffer.Truncated);
        Assert.Equal("xxxxxxxxxx\n[output truncated at 10 characters]", buffer.Text);
    }

    [Fact]
    public async Task TheCut_NeverKeepsHalfASurrogatePair()
    {
        var buffer = new OutputBuffer(4);
        await buffer.ReadAsync(new ChunkedStream(Encoding.UTF8.GetBytes("abc🐄def"), chunk: 3));
        Assert.Equal("abc\n[output truncated at 4 characters]", buffer.Text);
    }

    [Fact]
    public async Task LineEnds_AreReadAsLines_CrLfAndLoneCrIncluded()
    {
        var buffer = new OutputBuffer(1000);
        await buffer.ReadAsync(new ChunkedStream(Encoding.UTF8.GetBytes("a\r\nb\rc\n\nd"), chunk: 2));
        Assert.Equal("a\nb\nc\n\nd", buffer.Text);
    }

    [Fact]
    public async Task APartialLine_IsNotSplitByAnotherStreamsLine()
    {
        var buffer = new OutputBuffer(1000);
        var release = new TaskCompletionSource();
        var first = new GatedStream(Encoding.UTF8.GetBytes("part"), release.Task, Encoding.UTF8.GetBytes("ial\n"));
        Task reading = buffer.ReadAsync(first);
        await first.FirstChunkRead;
        await buffer.ReadAsync(new ChunkedStream(Encoding.UTF8.GetBytes("other\n"), chunk: 100));
        release.SetResult();
        await reading;
        Assert.Equal("other\npartial", buffer.Text);
    }

    [Fact]
    public async Task AStreamEndingWithoutNewline_EndsItsLineBeforeTheNextStreamsText()
    {
        var buffer = new OutputBuffer(1000);
        await buffer.ReadAsync(new ChunkedStream(Encoding.UTF8.GetBytes("no newline"), chunk: 100));
        await buffer.ReadAsync(new ChunkedStream(Encoding.UTF8.GetBytes("next\n"), chunk: 100));
        Assert.Equal("no newline\nnext", buffer.Text);
    }

    /// <summary>A read-only stream that returns at most <c>chunk</c> bytes per read.</summary>
    private sealed class ChunkedStream(byte[] data, int chunk) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, chunk), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Returns its first bytes, then waits for <c>release</c> before returning the rest.</summary>
    private sealed class GatedStream(byte[] first, Task release, byte[] rest) : Stream
    {
        private readonly TaskCompletionSource _firstRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _step;

        public Task FirstChunkRead => _firstRead.Task;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            switch (_step++)
            {
                case 0:
                    first.CopyTo(buffer);
                    _firstRead.SetResult();
                    return first.Length;
                case 1:
                    await release.WaitAsync(cancellationToken);
                    rest.CopyTo(buffer);
                    return rest.Length;
                default:
                    return 0;
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
