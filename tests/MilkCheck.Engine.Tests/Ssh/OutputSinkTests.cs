using System.Text;
using MilkCheck.Execution;
using MilkCheck.Execution.Ssh;
using Xunit;

namespace MilkCheck.Engine.Tests.Ssh;

public sealed class OutputSinkTests
{
    private static string Feed(int limit, params byte[][] chunks)
    {
        var buffer = new OutputBuffer(limit);
        var sink = new OutputSink(buffer);
        foreach (byte[] chunk in chunks)
            sink.Write(chunk, 0, chunk.Length);
        sink.Dispose();
        Assert.True(sink.Completion.IsCompletedSuccessfully);
        return buffer.Text;
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Lines_split_across_writes_come_out_whole_and_the_last_unterminated_line_is_kept()
    {
        Assert.Equal("first line\nsecond\nlast", Feed(1000, Bytes("first "), Bytes("line\nsec"), Bytes("ond\nla"), Bytes("st")));
    }

    [Fact]
    public void CR_LF_split_across_writes_ends_one_line_and_a_lone_CR_ends_a_line_too()
    {
        Assert.Equal("a\nb\nc", Feed(1000, Bytes("a\r"), Bytes("\nb\rc\n")));
    }

    [Fact]
    public void A_UTF8_character_cut_between_two_writes_is_decoded_whole()
    {
        byte[] text = Bytes("état\n");
        Assert.Equal("état", Feed(1000, text[..1], text[1..]));
    }

    [Fact]
    public void Output_past_the_cap_is_dropped_and_the_cut_is_said()
    {
        string text = Feed(10, Bytes("12345\n"), Bytes(new string('x', 100)), Bytes("\nmore\n"));
        Assert.Equal("12345\nxxxx\n[output truncated at 10 characters]", text); // the head up to the cap, then the cut
    }

    [Fact]
    public void Two_sinks_on_one_buffer_merge_lines_in_arrival_order()
    {
        var buffer = new OutputBuffer(1000);
        var stdout = new OutputSink(buffer);
        var stderr = new OutputSink(buffer);
        stdout.Write(Bytes("out 1\n"));
        stderr.Write(Bytes("err 1\n"));
        stdout.Write(Bytes("out 2\n"));
        stdout.Dispose();
        stderr.Dispose();
        Assert.Equal("out 1\nerr 1\nout 2", buffer.Text);
    }
}
