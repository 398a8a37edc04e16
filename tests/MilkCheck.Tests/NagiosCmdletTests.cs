using Xunit;

namespace MilkCheck.Tests;

public sealed class NagiosCmdletTests : IDisposable
{
    private readonly PowerShellHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public void ConvertTo_WritesOnePluginStringForTheWholeRun_AsTheCommandDoes()
    {
        const string script = """
            $node = [MilkCheck.NodeResult]::new('n1', 'web', 'status', 'Failed', 1, "down`nmore", [TimeSpan]::Zero, $null)
            $start = [DateTimeOffset]::new(2026, 1, 1, 0, 0, 0, [TimeSpan]::Zero)
            $ok = [MilkCheck.ActionResult]::new('db', '', 'Service', 'status', 'Done', $true, '', '',
                [MilkCheck.NodeResult[]]@(), [MilkCheck.ActionResult[]]@(), 'true', $start, [TimeSpan]::FromSeconds(1), 1, $null)
            $failed = [MilkCheck.ActionResult]::new('web', '', 'Service', 'status', 'Error', $true, 'n1', 'n1',
                [MilkCheck.NodeResult[]]@($node), [MilkCheck.ActionResult[]]@(), 'run', $start, [TimeSpan]::FromSeconds(2), 1, $null)
            $ok, $failed | ConvertTo-MilkCheckNagios
            """;
        var (output, errors) = _host.Run(script);
        Assert.Empty(errors);
        Assert.Equal("MILKCHECK CRITICAL - status: 1 of 2 services failed (web) | services=2;;;0 failed=1;;;0 warning=0;;;0 nodes_failed=1;;;0 duration=2.000s;;;0\nweb.status ERROR on n1: down",
            (string)Assert.Single(output).BaseObject);
    }
}
