using MilkCheck.TestSupport;
using System.Management.Automation;
using Xunit;

namespace MilkCheck.Tests;

public sealed class ConfigurationCmdletTests : IDisposable
{
    private readonly PowerShellHost _host = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "milkcheck-cmdlets-" + Guid.NewGuid().ToString("N"));

    public ConfigurationCmdletTests()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "site.yaml"), """
            services:
              web:
                desc: front end
                target: "web[1-2]"
                tags: [ front ]
                require: [ db ]
                actions:
                  start,stop: { cmd: "true" }
              db:
                actions:
                  start: { cmd: "true" }
              lustre:
                tags: [ storage ]
                services:
                  mgs: { actions: { start: { cmd: "true" } } }
                  oss: { require: [ mgs ], actions: { start: { cmd: "true" } } }
            """);
    }

    public void Dispose()
    {
        _host.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Broken()
    {
        string broken = Path.Combine(_dir, "broken");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, "a.yaml"), "services:\n  a:\n    require: [ nope ]\n    actions: { start: { cmd: x } }\nbogus: 1\n");
        return broken;
    }

    [Fact]
    public void GetService_ListsEveryEntityWithFullNames()
    {
        var (output, errors) = _host.Run($"Get-MilkCheckService -Path '{_dir}'");
        Assert.Empty(errors);
        var services = output.Select(o => (ServiceInfo)o.BaseObject).ToList();
        Assert.Equal(new[] { "web", "db", "lustre", "lustre.mgs", "lustre.oss" }, services.Select(s => s.Name));
        ServiceInfo oss = services.Single(s => s.Name == "lustre.oss");
        Assert.Equal("lustre", oss.Group);
        Assert.Equal(new DependencyInfo("lustre.mgs", DependencyKind.Require), Assert.Single(oss.Dependencies));
        Assert.EndsWith("site.yaml", oss.File);
        Assert.Equal(16, oss.Line);
        Assert.Equal(EntityKind.Group, services.Single(s => s.Name == "lustre").Kind);
    }

    [Fact]
    public void GetService_MatchesWildcardsAndTagsThroughParents()
    {
        var (byName, _) = _host.Run($"Get-MilkCheckService 'lustre.*' -Path '{_dir}' | ForEach-Object Name");
        Assert.Equal(new[] { "lustre.mgs", "lustre.oss" }, byName.Select(o => (string)o.BaseObject));
        var (byTag, _) = _host.Run($"Get-MilkCheckService -Tag storage -Path '{_dir}' | ForEach-Object Name");
        Assert.Equal(new[] { "lustre", "lustre.mgs", "lustre.oss" }, byTag.Select(o => (string)o.BaseObject));
    }

    [Fact]
    public void GetService_UnknownNameIsAnUnknownServiceError()
    {
        var (output, errors) = _host.Run($"Get-MilkCheckService nope,web -Path '{_dir}'");
        Assert.Single(output);
        Assert.StartsWith("MilkCheck.UnknownService,", Assert.Single(errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void GetService_OnABrokenConfigurationStopsWithConfigurationInvalid()
    {
        var (_, errors) = _host.Run($"Get-MilkCheckService -Path '{Broken()}'");
        ErrorRecord error = Assert.Single(errors);
        Assert.StartsWith("MilkCheck.ConfigurationInvalid,", error.FullyQualifiedErrorId);
        Assert.IsAssignableFrom<IEnumerable<ConfigDiagnostic>>(error.TargetObject);
        Assert.Contains("a.yaml:3:16: Unknown dependency 'nope'", error.ToString());
        Assert.Contains("a.yaml:5:1: Bad rule 'bogus'", error.ToString());
    }

    [Fact]
    public void MissingPath_IsConfigurationNotFound()
    {
        var (_, errors) = _host.Run($"Get-MilkCheckService -Path '{_dir}/nope'");
        Assert.StartsWith("MilkCheck.ConfigurationNotFound,", Assert.Single(errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void TestConfig_WritesOneDiagnosticPerProblem()
    {
        var (output, errors) = _host.Run($"Test-MilkCheckConfig -Path '{Broken()}'");
        Assert.Empty(errors);
        var diagnostics = output.Select(o => (ConfigDiagnostic)o.BaseObject).ToList();
        Assert.Equal(new[] { "MilkCheck.Config.BadRule", "MilkCheck.Config.UnknownDependency" }, diagnostics.Select(d => d.ErrorId).Order());
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
    }

    [Fact]
    public void TestConfig_QuietSaysWhetherTheConfigurationIsUsable()
    {
        var (good, _) = _host.Run($"Test-MilkCheckConfig -Path '{_dir}' -Quiet");
        var (bad, _) = _host.Run($"Test-MilkCheckConfig -Path '{Broken()}' -Quiet");
        Assert.Equal(true, Assert.Single(good).BaseObject);
        Assert.Equal(false, Assert.Single(bad).BaseObject);
    }

    [Fact]
    public void ServiceView_IsACompactTable()
    {
        var (output, _) = _host.Run($"Get-MilkCheckService web -Path '{_dir}' | Out-String -Width 120");
        string text = (string)output.Single().BaseObject;
        Assert.Matches(@"Name\s+Kind\s+Target\s+Actions\s+Dependencies\s+Description", text);
        Assert.Matches(@"web\s+Service\s+web\[1-2\]\s+start,stop\s+db\s+front end", text);
    }

    [Fact]
    public void ServiceNames_Complete()
    {
        var (output, _) = _host.Run($"(TabExpansion2 -inputScript 'Get-MilkCheckService -Path ''{_dir}'' lus' -cursorColumn {("Get-MilkCheckService -Path '" + _dir + "' lus").Length}).CompletionMatches.CompletionText");
        Assert.Equal(new[] { "lustre", "lustre.mgs", "lustre.oss" }, output.Select(o => (string)o.BaseObject));
    }

    private string MeantForDefine()
    {
        string dir = Path.Combine(_dir, "define");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "a.yaml"), "services:\n  good:\n    actions:\n      start: { cmd: 'echo %LOG' }\n");
        return dir;
    }

    [Fact]
    public void TestConfig_ReportsAReferenceOnlyADefineCanGive_AsAWarningNamingDefine()
    {
        var (output, errors) = _host.Run($"Test-MilkCheckConfig -Path '{MeantForDefine()}'");
        Assert.Empty(errors);
        var diagnostic = (ConfigDiagnostic)Assert.Single(output).BaseObject;
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Contains("'LOG'", diagnostic.Message);
        Assert.Contains("-Define", diagnostic.Message);
        Assert.Equal(true, Assert.Single(_host.Run($"Test-MilkCheckConfig -Path '{MeantForDefine()}' -Quiet").Output).BaseObject);
    }

    [Fact]
    public void TestConfig_WithTheDefine_IsClean()
    {
        var (output, errors) = _host.Run($"Test-MilkCheckConfig -Path '{MeantForDefine()}' -Define @{{ LOG = '/tmp/x' }}");
        Assert.Empty(errors);
        Assert.Empty(output);
    }

    [Fact]
    public void ListingAndGraph_WorkOnAConfigurationMeantForDefine()
    {
        var (services, errors) = _host.Run($"Get-MilkCheckService -Path '{MeantForDefine()}' -WarningVariable w; $w.Count");
        Assert.Empty(errors);
        Assert.Equal("good", ((ServiceInfo)services[0].BaseObject).Name);
        Assert.Equal(0, (int)services[^1].BaseObject);
        var (graph, graphErrors) = _host.Run($"Get-MilkCheckGraph -Path '{MeantForDefine()}' -Define @{{ LOG = 'x' }}");
        Assert.Empty(graphErrors);
        Assert.Contains("good", (string)Assert.Single(graph).BaseObject);
    }

    [Fact]
    public void CtrlC_WhileACommandOfTheConfigurationRuns_KillsIt_AndStopsThePipeline()
    {
        string marker = $"86{Random.Shared.Next(100000, 999999)}.5";
        string slow = Path.Combine(_dir, "slow");
        Directory.CreateDirectory(slow);
        File.WriteAllText(Path.Combine(slow, "s.yaml"), $"services: {{ svc: {{ target: '%(sleep {marker}; echo n1)', actions: {{ start: {{ cmd: 'true' }} }} }} }}");
        Exception? ended = _host.StopWhen($"Get-MilkCheckService -Path '{slow}'", () => MarkedProcesses.With(marker).Any());
        Assert.IsType<PipelineStoppedException>(ended);
        Assert.True(SpinWait.SpinUntil(() => !MarkedProcesses.With(marker).Any(), TimeSpan.FromSeconds(30)), "the %(...) was left running");
    }
}
