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

    [Theory]
    [InlineData("Measure-MilkCheckResult")]
    [InlineData("$null | Measure-MilkCheckResult")]
    [InlineData("@() | Measure-MilkCheckResult")]
    [InlineData("$r = $null; Measure-MilkCheckResult -InputObject $r")]
    public void Measure_WithoutAnyResult_GivesExitCodeNine_AndWarnsThatNoResultWasGiven(string script)
    {
        RunStreams run = _host.RunWithStreams(script);
        Assert.Empty(run.Errors);
        var summary = (RunSummary)Assert.Single(run.Output).BaseObject;
        Assert.Equal(9, summary.ExitCode);
        Assert.Equal("UNKNOWN", summary.NagiosStatus);
        Assert.Contains("No result was given", Assert.Single(run.Warnings));
    }

    [Fact]
    public void Measure_OfDeserializedResults_IsTheSummaryOfTheLiveOnes()
    {
        const string script = """
            $node = [MilkCheck.NodeResult]::new('n1', 'web', 'start', 'Failed', 1, 'boom', [TimeSpan]::Zero, $null)
            $results = (New-Result db Done $false), [MilkCheck.ActionResult]::new('web', '', 'Service', 'start', 'Error', $true, 'n1', 'n1',
                [MilkCheck.NodeResult[]]@($node), [MilkCheck.ActionResult[]]@(), 'run', [DateTimeOffset]::Now.AddSeconds(2), [TimeSpan]::FromSeconds(3), 1, 'front end')
            $copies = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($results))
            $copies[1].pstypenames[0]
            $results | Measure-MilkCheckResult
            $copies | Measure-MilkCheckResult
            """;
        var (output, errors) = _host.Run(MakeResult + "\n" + script);
        Assert.Empty(errors);
        Assert.Equal("Deserialized.MilkCheck.ActionResult", output[0].BaseObject);
        var live = (RunSummary)output[1].BaseObject;
        var copy = (RunSummary)output[2].BaseObject;
        Assert.Equal(6, copy.ExitCode);
        Assert.Equal((live.Total, live.Failed, live.Duration, live.ToString()), (copy.Total, copy.Failed, copy.Duration, copy.ToString()));
        Assert.Equal(live.Counts, copy.Counts);
    }

    [Fact]
    public void Measure_RefusesAnObjectThatIsNotAResult()
    {
        var (_, errors) = _host.Run("[pscustomobject]@{ Service = 'web'; Status = 'Done' } | Measure-MilkCheckResult");
        Assert.StartsWith("InputObjectNotBound", Assert.Single(errors).FullyQualifiedErrorId);
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
