using System.Runtime.CompilerServices;
using Xunit;

namespace MilkCheck.Tests;

/// <summary>
/// The table and list views of results, rendered from fixed records and compared with checked-in text
/// (TestData/Views). With MILKCHECK_UPDATE_SNAPSHOTS=1 the files are rewritten instead, to be reviewed in the diff.
/// </summary>
public sealed class ViewSnapshotTests : IDisposable
{
    private readonly PowerShellHost _host = new();

    public void Dispose() => _host.Dispose();

    private const string Results = """
        $start = [datetimeoffset]'2026-12-03T10:00:00+00:00'
        $n = @(
            [MilkCheck.NodeResult]::new('frontend-node-with-a-long-name01', 'web', 'start', 'Ok', 0, 'ok', [timespan]'00:00:00.250', $null)
            [MilkCheck.NodeResult]::new('frontend-node-with-a-long-name02', 'web', 'start', 'Failed', 3, "port busy`nretrying", [timespan]'00:00:01.500', $null)
            [MilkCheck.NodeResult]::new('frontend-node-with-a-long-name03', 'web', 'start', 'Unreachable', $null, '', [timespan]'00:00:10', 'connect timeout after 10 s')
        )
        $web = [MilkCheck.ActionResult]::new('web', '', 'Service', 'start', 'Error', $true, 'frontend-node-with-a-long-name[01-03]',
            'frontend-node-with-a-long-name[02-03]', [MilkCheck.NodeResult[]]$n, [MilkCheck.ActionResult[]]@(), 'systemctl start httpd',
            $start, [timespan]'00:00:10.125', 1, 'Front end')
        $app = [MilkCheck.ActionResult]::new('app', '', 'Service', 'start', 'DependencyError', $false, '', '',
            [MilkCheck.NodeResult[]]@(), [MilkCheck.ActionResult[]]@(), 'true', $start, [timespan]::Zero, 0, $null)
        $mds = [MilkCheck.ActionResult]::new('lustre.mds', 'lustre', 'Service', 'start', 'Done', $false, 'mds[1-2]', '',
            [MilkCheck.NodeResult[]]@(), [MilkCheck.ActionResult[]]@(), 'mount -t lustre', $start, [timespan]'00:00:03.000', 1, 'Metadata')
        """;

    private void AssertSnapshot(string name, string script, [CallerFilePath] string sourceFile = "")
    {
        var (output, errors) = _host.Run(Results + "\n" + script);
        Assert.Empty(errors);
        string actual = string.Concat(output.Select(o => o.BaseObject as string)).ReplaceLineEndings("\n");
        if (Environment.GetEnvironmentVariable("MILKCHECK_UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllText(Path.Combine(Path.GetDirectoryName(sourceFile)!, "TestData", "Views", name), actual);
            return;
        }
        string expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "Views", name));
        Assert.Equal(expected.ReplaceLineEndings("\n"), actual);
    }

    [Fact]
    public void The_table_view_of_results_at_120_columns() =>
        AssertSnapshot("action-table.txt", "$web, $app, $mds | Format-Table | Out-String -Width 120");

    [Fact]
    public void The_table_view_of_node_results_at_120_columns() =>
        AssertSnapshot("node-table.txt", "$web.Nodes | Format-Table | Out-String -Width 120");

    [Fact]
    public void The_list_view_of_a_failed_result() =>
        AssertSnapshot("action-list.txt", "$web | Format-List | Out-String -Width 120");
}
