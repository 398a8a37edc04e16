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
}
