using System.Management.Automation;
using Xunit;

namespace MilkCheck.Tests;

/// <summary>Parameters as a PowerShell user expects them: arrays, wildcards, -LiteralPath from Get-Item, completers.</summary>
public sealed class ParameterTests : IDisposable
{
    private readonly PowerShellHost _host = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "milkcheck-params-" + Guid.NewGuid().ToString("N"));

    public ParameterTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        _host.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Config(string yaml, string name = "conf")
    {
        string path = Path.Combine(_dir, name);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "services.yaml"), yaml);
        return path;
    }

    private const string Nodes = """
        services:
          web:
            tags: [ front ]
            target: "n[1-6]"
            mode: exec
            actions: { start: { cmd: "echo %%h" } }
          web_cache: { tags: [ cache ], actions: { start: { cmd: "true" } } }
          db: { actions: { start: { cmd: "true" } } }
        """;

    private static string[] RanOn(RunStreams run, string service) =>
        run.Results.Single(r => r.Service == service).Nodes.Select(n => n.Node).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Node_takes_several_node_set_expressions_and_unites_them()
    {
        string path = Config(Nodes);
        var run = _host.RunWithStreams($"Invoke-MilkCheckAction start -Service web -Path '{path}' -Node n1,'n[3-4]'");
        Assert.Empty(run.Errors);
        Assert.Equal(new[] { "n1", "n3", "n4" }, RanOn(run, "web"));
    }

    [Fact]
    public void Node_takes_the_output_of_Expand_MilkCheckNodeSet()
    {
        string path = Config(Nodes);
        var run = _host.RunWithStreams($"Invoke-MilkCheckAction start -Service web -Path '{path}' -Node (Expand-MilkCheckNodeSet 'n[5-6]')");
        Assert.Equal(new[] { "n5", "n6" }, RanOn(run, "web"));
    }

    [Fact]
    public void ExcludeNode_takes_several_expressions_and_removes_them_all()
    {
        string path = Config(Nodes);
        var run = _host.RunWithStreams($"Invoke-MilkCheckAction start -Service web -Path '{path}' -ExcludeNode n1,'n[2-5]'");
        Assert.Equal(new[] { "n6" }, RanOn(run, "web"));
    }

    [Fact]
    public void A_bad_element_of_Node_is_a_terminating_NodeSetInvalid()
    {
        string path = Config(Nodes);
        var run = _host.RunWithStreams($"Invoke-MilkCheckAction start -Path '{path}' -Node n1,'n[1-'");
        Assert.Empty(run.Results);
        Assert.StartsWith("MilkCheck.NodeSetInvalid", Assert.Single(run.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Service_wildcards_select_every_matching_service()
    {
        string path = Config(Nodes);
        var run = _host.RunWithStreams($"Invoke-MilkCheckAction start -Service 'web*' -Path '{path}'");
        Assert.Empty(run.Errors);
        Assert.Equal(new[] { "web", "web_cache" }, run.Results.Select(r => r.Service).Order(StringComparer.Ordinal));
        Assert.All(run.Results, r => Assert.True(r.IsEntry));
    }

    [Fact]
    public void A_plain_Service_name_that_matches_nothing_stays_UnknownService()
    {
        string path = Config(Nodes);
        var run = _host.RunWithStreams($"Invoke-MilkCheckAction start -Service nope -Path '{path}'");
        Assert.Empty(run.Results);
        Assert.StartsWith("MilkCheck.UnknownService", Assert.Single(run.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Service_patterns_that_match_nothing_run_nothing_rather_than_everything()
    {
        string path = Config(Nodes);
        var run = _host.RunWithStreams($"Invoke-MilkCheckAction start -Service 'zz*' -Path '{path}'");
        Assert.Empty(run.Results);
        Assert.Contains(run.Warnings, w => w.Contains("No service matches"));
    }

    [Fact]
    public void A_directory_from_Get_Item_pipes_into_Test_MilkCheckConfig_by_PSPath()
    {
        string path = Config("services: { s: { actions: { start: { cmd: [ 1 ] } } } }");
        var run = _host.RunWithStreams($"Get-Item -LiteralPath '{path}' | Test-MilkCheckConfig -Quiet");
        Assert.Empty(run.Errors);
        Assert.False((bool)Assert.Single(run.Output).BaseObject);
    }

    [Fact]
    public void A_directory_from_Get_Item_pipes_into_Invoke_and_Get_MilkCheckGraph()
    {
        string path = Config(Nodes);
        var run = _host.RunWithStreams($"Get-Item -LiteralPath '{path}' | Invoke-MilkCheckAction start -Service db");
        Assert.Empty(run.Errors);
        Assert.Equal("db", Assert.Single(run.Results).Service);
        var services = _host.RunWithStreams($"Get-Item -LiteralPath '{path}' | Get-MilkCheckService");
        Assert.Empty(services.Errors);
        Assert.Equal(3, services.Output.Count);
        var graph = _host.RunWithStreams($"Get-Item -LiteralPath '{path}' | Get-MilkCheckGraph");
        Assert.Empty(graph.Errors);
        Assert.Contains("digraph", (string)Assert.Single(graph.Output).BaseObject);
    }

    [Fact]
    public void LiteralPath_takes_brackets_as_written()
    {
        string path = Config(Nodes, "conf[1]");
        var run = _host.RunWithStreams($"Get-MilkCheckService -LiteralPath '{path}' -Name db");
        Assert.Empty(run.Errors);
        Assert.Single(run.Output);
    }

    [Fact]
    public void A_Path_wildcard_that_matches_one_directory_loads_it()
    {
        Config(Nodes, "only-conf");
        var run = _host.RunWithStreams($"Get-MilkCheckService -Path '{_dir}/only-*' -Name db");
        Assert.Empty(run.Errors);
        Assert.Single(run.Output);
    }

    [Fact]
    public void A_Path_wildcard_that_matches_several_items_is_ConfigurationAmbiguous()
    {
        Config(Nodes, "a-conf");
        Config(Nodes, "b-conf");
        var run = _host.RunWithStreams($"Test-MilkCheckConfig -Path '{_dir}/*-conf'");
        Assert.StartsWith("MilkCheck.ConfigurationAmbiguous", Assert.Single(run.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void A_Path_wildcard_that_matches_nothing_is_ConfigurationNotFound()
    {
        var run = _host.RunWithStreams($"Get-MilkCheckService -Path '{_dir}/none*'");
        Assert.StartsWith("MilkCheck.ConfigurationNotFound", Assert.Single(run.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Piped_failed_results_rerun_with_their_Path_and_FailedNodes_without_Path()
    {
        string path = Config("""
            services:
              web: { target: "n[1-3]", mode: exec, actions: { start: { cmd: "test %%h != n2" } } }
            """);
        var run = _host.RunWithStreams($"""
            $r = Invoke-MilkCheckAction start -Path '{path}' -ErrorAction SilentlyContinue
            $r | Where-Object Status -ne Done | Invoke-MilkCheckAction start -ErrorAction SilentlyContinue
            """);
        ActionResult rerun = Assert.Single(run.Results);
        Assert.Equal("n2", Assert.Single(rerun.Nodes).Node);
    }

    private string[] Complete(string input)
    {
        var run = _host.RunWithStreams($"(TabExpansion2 -inputScript \"{input.Replace("\"", "`\"")}\" -cursorColumn {input.Length}).CompletionMatches.CompletionText");
        Assert.Empty(run.Errors);
        return run.Output.Select(o => o.ToString()).ToArray();
    }

    [Fact]
    public void Tag_completes_the_tags_of_the_configuration()
    {
        string path = Config(Nodes);
        Assert.Equal(new[] { "cache", "front" }, Complete($"Invoke-MilkCheckAction start -Path '{path}' -Tag "));
        Assert.Equal(new[] { "front" }, Complete($"Get-MilkCheckService -Path '{path}' -Tag fr"));
    }

    [Fact]
    public void Completers_read_a_relative_Path_from_the_current_location()
    {
        Config(Nodes);
        var run = _host.RunWithStreams($$"""
            Push-Location '{{_dir}}'
            $line = 'Invoke-MilkCheckAction start -Path ./conf -Service we'
            try { (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText }
            finally { Pop-Location }
            """);
        Assert.Equal(new[] { "web", "web_cache" }, run.Output.Select(o => o.ToString()));
    }
}
