using Xunit;

namespace MilkCheck.Tests;

public sealed class MeasureCmdletTests : IDisposable
{
    private readonly PowerShellHost _host = new();

    public void Dispose() => _host.Dispose();

    private const string MakeResult = """
        function New-Result($service, $status, $entry = $true) {
            [MilkCheck.ActionResult]::new($service, '', 'Service', 'start', $status, $entry, '', '',
                [MilkCheck.NodeResult[]]@(), [MilkCheck.ActionResult[]]@(), 'true', [DateTimeOffset]::Now, [TimeSpan]::Zero, 1, $null)
        }
        """;

    [Theory]
    [InlineData("(New-Result a Done), (New-Result b Done)", 0)]
    [InlineData("(New-Result a Done), (New-Result b Warning $false)", 3)]
    [InlineData("(New-Result a Error), (New-Result b Done)", 6)]
    public void Measure_ComputesTheExitCodeFromPipedResults(string results, int exitCode)
    {
        var (output, errors) = _host.Run(MakeResult + $"\n({results}) | Measure-MilkCheckResult");
        Assert.Empty(errors);
        var summary = (RunSummary)Assert.Single(output).BaseObject;
        Assert.Equal(exitCode, summary.ExitCode);
    }

    [Fact]
    public void SummaryView_IsUpstreamsBlock()
    {
        var (output, _) = _host.Run(MakeResult + "\n(New-Result a Done), (New-Result b Error) | Measure-MilkCheckResult | Out-String");
        Assert.Contains(" SUMMARY - 2 actions (1 failed)\n + b.start", ((string)output.Single().BaseObject).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void ActionResultView_IsTheStatusLineWithTheFailedActionBlockAbove()
    {
        const string script = """
            $node = [MilkCheck.NodeResult]::new('n1', 'web', 'start', 'Failed', 1, 'boom', [TimeSpan]::Zero, $null)
            $failed = [MilkCheck.ActionResult]::new('web', '', 'Service', 'start', 'Error', $true, 'n1', 'n1',
                [MilkCheck.NodeResult[]]@($node), [MilkCheck.ActionResult[]]@(), 'run', [DateTimeOffset]::Now, [TimeSpan]::FromMilliseconds(20), 1, 'front end')
            $failed | Out-String -Width 80
            """;
        var (output, errors) = _host.Run(script);
        Assert.Empty(errors);
        string[] lines = ((string)output.Single().BaseObject).ReplaceLineEndings("\n").Trim('\n').Split('\n');
        Assert.Equal(new[]
        {
            "start web ran in 0.02 s",
            " > n1: boom",
            " > n1 exited with 1",
            "web - front end                                                      [  ERROR  ]",
        }, lines);
    }
}
