using MilkCheck.Configuration;
using Xunit;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MilkCheck.Engine.Tests.Configuration;

public sealed class GlobalConfigurationTests : IDisposable
{
    private readonly string _directory =
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "milkcheck-conf-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteConf(string text)
    {
        string path = Path.Combine(_directory, "milkcheck.conf");
        File.WriteAllText(path, text);
        return path;
    }

    private (GlobalConfiguration Configuration, IReadOnlyList<ConfigDiagnostic> Diagnostics) Load(string text) =>
        GlobalConfigurationLoader.Load(WriteConf(text));

    private static ConfigDiagnostic Single(IReadOnlyList<ConfigDiagnostic> diagnostics, string errorId) =>
        Assert.Single(diagnostics, diagnostic => diagnostic.ErrorId == errorId);

    [Fact]
    public void Default_HasUpstreamValuesAndTheSshDefaults()
    {
        GlobalConfiguration defaults = GlobalConfiguration.Default;

        Assert.Equal("/etc/milkcheck/conf", defaults.ConfigDir);
        Assert.Equal(64, defaults.Fanout);
        Assert.Equal(new[] { "stop" }, defaults.ReverseActions);
        Assert.Empty(defaults.ConfirmActions);
        Assert.Equal(ReportMode.No, defaults.Report);
        Assert.False(defaults.Summary);
        Assert.Equal(TransportKind.SshNet, defaults.Transport);
        Assert.Equal(TimeSpan.FromSeconds(10), defaults.ConnectTimeout);
        Assert.Equal(10, defaults.MaxSessions);
        Assert.Equal(100_000, defaults.MaxNodes);
        Assert.Equal(TimeSpan.FromSeconds(60), defaults.ConnectionPersist);
        Assert.Null(defaults.SourceFile);
    }

    [Fact]
    public void EveryKey_IsParsed()
    {
        string path = WriteConf("""
            config_dir: /srv/milkcheck
            fanout: 8
            reverse_actions: [stop, halt]
            confirm_actions:
              - stop
              - format
            report: full
            summary: yes
            transport: openssh
            connect_timeout: 2.5
            max_sessions: 4
            max_nodes: 5000
            connection_persist: 120
            """);

        (GlobalConfiguration configuration, IReadOnlyList<ConfigDiagnostic> diagnostics) = GlobalConfigurationLoader.Load(path);

        Assert.Empty(diagnostics);
        Assert.Equal("/srv/milkcheck", configuration.ConfigDir);
        Assert.Equal(8, configuration.Fanout);
        Assert.Equal(new[] { "stop", "halt" }, configuration.ReverseActions);
        Assert.Equal(new[] { "stop", "format" }, configuration.ConfirmActions);
        Assert.Equal(ReportMode.Full, configuration.Report);
        Assert.True(configuration.Summary);
        Assert.Equal(TransportKind.OpenSsh, configuration.Transport);
        Assert.Equal(TimeSpan.FromSeconds(2.5), configuration.ConnectTimeout);
        Assert.Equal(4, configuration.MaxSessions);
        Assert.Equal(5000, configuration.MaxNodes);
        Assert.Equal(TimeSpan.FromSeconds(120), configuration.ConnectionPersist);
        Assert.Equal(path, configuration.SourceFile);
    }

    [Theory]
    [InlineData("report: 'default'", ReportMode.Default)]
    [InlineData("report: \"no\"", ReportMode.No)]
    public void Report_AcceptsQuotedValues(string yaml, ReportMode expected)
    {
        var (configuration, diagnostics) = Load(yaml);

        Assert.Empty(diagnostics);
        Assert.Equal(expected, configuration.Report);
    }

    [Fact]
    public void ConnectTimeout_AcceptsAnIntegerNumberOfSeconds()
    {
        var (configuration, diagnostics) = Load("connect_timeout: 30");

        Assert.Empty(diagnostics);
        Assert.Equal(TimeSpan.FromSeconds(30), configuration.ConnectTimeout);
    }

    [Fact]
    public void ConnectionPersist_ZeroClosesConnectionsAtTheEndOfTheRun()
    {
        var (configuration, diagnostics) = Load("connection_persist: 0");

        Assert.Empty(diagnostics);
        Assert.Equal(TimeSpan.Zero, configuration.ConnectionPersist);
    }

    [Fact]
    public void EmptyFile_GivesDefaultsWithoutDiagnostics()
    {
        string path = WriteConf("# nothing set\n");

        var (configuration, diagnostics) = GlobalConfigurationLoader.Load(path);

        Assert.Empty(diagnostics);
        Assert.Equal(GlobalConfiguration.Default with { SourceFile = path }, configuration);
    }

    [Fact]
    public void MissingFile_GivesDefaultsAndAPositionlessWarning()
    {
        string path = Path.Combine(_directory, "absent.conf");

        var (configuration, diagnostics) = GlobalConfigurationLoader.Load(path);

        Assert.Same(GlobalConfiguration.Default, configuration);
        ConfigDiagnostic warning = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal("MilkCheck.Config.GlobalFileNotFound", warning.ErrorId);
        Assert.Equal(0, warning.Line);
        Assert.Contains($"Configuration file {path} not found", warning.Message);
    }

    [Theory]
    [InlineData("fanout: \"8\"", "fanout")]
    [InlineData("fanout: 0", "fanout")]
    [InlineData("fanout: 2.5", "fanout")]
    [InlineData("fanout: yes", "fanout")]
    [InlineData("reverse_actions: stop", "reverse_actions")]
    [InlineData("confirm_actions: {stop: 1}", "confirm_actions")]
    [InlineData("reverse_actions: [stop, yes]", "reverse_actions")]
    [InlineData("config_dir: 12", "config_dir")]
    [InlineData("summary: 'yes'", "summary")]
    [InlineData("max_sessions: 0", "max_sessions")]
    [InlineData("max_sessions: -3", "max_sessions")]
    [InlineData("max_sessions: '4'", "max_sessions")]
    [InlineData("max_nodes: 0", "max_nodes")]
    [InlineData("max_nodes: lots", "max_nodes")]
    [InlineData("transport: ssh", "transport")]
    [InlineData("transport: SshNet", "transport")]
    [InlineData("connect_timeout: 0", "connect_timeout")]
    [InlineData("connect_timeout: -1.5", "connect_timeout")]
    [InlineData("connect_timeout: '10'", "connect_timeout")]
    [InlineData("connect_timeout: .inf", "connect_timeout")]
    [InlineData("report: no", "report")]
    [InlineData("connection_persist: -1", "connection_persist")]
    [InlineData("connection_persist: '60'", "connection_persist")]
    public void WrongType_IsAWrongValueErrorAndKeepsTheDefault(string yaml, string key)
    {
        var (configuration, diagnostics) = Load(yaml);

        ConfigDiagnostic error = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Equal("MilkCheck.Config.WrongValue", error.ErrorId);
        Assert.StartsWith("Wrong value '", error.Message);
        Assert.Contains($"' for '{key}'", error.Message);
        Assert.Equal(1, error.Line);
        Assert.Equal(GlobalConfiguration.Default with { SourceFile = configuration.SourceFile }, configuration);
    }

    [Fact]
    public void QuotedFanout_IsNamedInTheMessage()
    {
        var (_, diagnostics) = Load("fanout: \"8\"");

        Assert.StartsWith("Wrong value '\"8\"' for 'fanout'", Single(diagnostics, "MilkCheck.Config.WrongValue").Message);
    }

    [Fact]
    public void PlainNoForReport_ExplainsThatYaml11MakesItABoolean()
    {
        var (_, diagnostics) = Load("report: no");

        Assert.Contains("quote it", Single(diagnostics, "MilkCheck.Config.WrongValue").Message);
    }

    [Fact]
    public void UnknownReport_UsesUpstreamsMessage()
    {
        var (configuration, diagnostics) = Load("report: brief");

        ConfigDiagnostic error = Single(diagnostics, "MilkCheck.Config.WrongValue");
        Assert.Equal("Value for 'report' should be one of ('no', 'default', 'full') (found 'brief')", error.Message);
        Assert.Equal((1, 9), (error.Line, error.Column));
        Assert.Equal(ReportMode.No, configuration.Report);
    }

    [Fact]
    public void UnknownKey_IsABadEntryListingTheValidKeys()
    {
        var (_, diagnostics) = Load("fanout: 4\nfan_out: 8\n");

        ConfigDiagnostic error = Single(diagnostics, "MilkCheck.Config.BadEntry");
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.StartsWith("Bad entry 'fan_out'", error.Message);
        Assert.Contains("max_sessions", error.Message);
        Assert.Equal((2, 1), (error.Line, error.Column));
    }

    [Fact]
    public void SeveralProblems_AreAllReportedWithTheirPositions()
    {
        string path = WriteConf("""
            fanout: "8"
            verbose: true
            reverse_actions: stop
            report: brief
            max_sessions: 0
            transport: openssh
            """);

        var (configuration, diagnostics) = GlobalConfigurationLoader.Load(path);

        Assert.Equal(
            new[]
            {
                ("MilkCheck.Config.WrongValue", 1, 9),
                ("MilkCheck.Config.BadEntry", 2, 1),
                ("MilkCheck.Config.WrongValue", 3, 18),
                ("MilkCheck.Config.WrongValue", 4, 9),
                ("MilkCheck.Config.WrongValue", 5, 15),
            },
            diagnostics.Select(diagnostic => (diagnostic.ErrorId, diagnostic.Line, diagnostic.Column)));
        Assert.All(diagnostics, diagnostic => Assert.Equal(path, diagnostic.File));
        Assert.Equal(TransportKind.OpenSsh, configuration.Transport); // the valid key still applies
        Assert.Equal($"{path}:2:1: ", diagnostics[1].ToString()[..($"{path}:2:1: ".Length)]);
    }

    [Fact]
    public void EveryWrongListItem_IsReported()
    {
        var (configuration, diagnostics) = Load("confirm_actions:\n  - stop\n  - 3\n  - ~\n");

        Assert.Equal(new[] { 3, 4 }, diagnostics.Select(diagnostic => diagnostic.Line));
        Assert.Empty(configuration.ConfirmActions);
    }

    [Fact]
    public void YamlSyntaxError_IsReportedWithItsPosition()
    {
        var (configuration, diagnostics) = Load("fanout: 8\nreverse_actions: [stop\nreport: full\n");

        ConfigDiagnostic error = Single(diagnostics, "MilkCheck.Config.YamlSyntax");
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.True(error.Line >= 2, error.ToString());
        Assert.Contains("unclosed", error.Message);
        Assert.True(error.Column >= 1);
        Assert.Equal(64, configuration.Fanout);
    }

    [Fact]
    public void TabIndentation_IsAYamlSyntaxError()
    {
        var (_, diagnostics) = Load("reverse_actions:\n\t- stop\n");

        ConfigDiagnostic error = Single(diagnostics, "MilkCheck.Config.YamlSyntax");
        // YamlDotNet places this one at the start of the enclosing mapping.
        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Contains("tab", error.Message);
    }

    [Theory]
    [InlineData("- fanout\n- 8\n")]
    [InlineData("just text\n")]
    public void DocumentThatIsNotAMapping_IsAnError(string yaml)
    {
        var (_, diagnostics) = Load(yaml);

        ConfigDiagnostic error = Single(diagnostics, "MilkCheck.Config.NotAMapping");
        Assert.Equal((1, 1), (error.Line, error.Column));
    }

    [Fact]
    public void SecondDocument_IsAnError()
    {
        var (configuration, diagnostics) = Load("fanout: 8\n---\nfanout: 9\n");

        Assert.Equal(3, Single(diagnostics, "MilkCheck.Config.MultipleDocuments").Line);
        Assert.Equal(8, configuration.Fanout);
    }

    [Fact]
    public void DuplicateKey_LastWinsWithAWarningNamingBothLines()
    {
        var (configuration, diagnostics) = Load("fanout: 8\nreport: full\nfanout: 16\n");

        ConfigDiagnostic warning = Single(diagnostics, "MilkCheck.Config.DuplicateKey");
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal(3, warning.Line);
        Assert.Contains("line 1", warning.Message);
        Assert.Contains("line 3", warning.Message);
        Assert.Equal(16, configuration.Fanout);
    }

    [Fact]
    public void DuplicateKey_OnlyTheLastValueIsChecked()
    {
        var (configuration, diagnostics) = Load("fanout: '8'\nfanout: 16\n");

        Assert.Equal("MilkCheck.Config.DuplicateKey", Assert.Single(diagnostics).ErrorId);
        Assert.Equal(16, configuration.Fanout);
    }

    [Fact]
    public void Aliases_AreResolved()
    {
        var (configuration, diagnostics) = Load("reverse_actions: &reverse [stop, halt]\nconfirm_actions: *reverse\n");

        Assert.Empty(diagnostics);
        Assert.Equal(new[] { "stop", "halt" }, configuration.ConfirmActions);
    }

    [Fact]
    public void GlobalConfigurationPath_ComesFromMilkCheckConfWhenSet()
    {
        var environment = new Dictionary<string, string?> { ["MILKCHECK_CONF"] = "/tmp/site.conf" };

        Assert.Equal("/tmp/site.conf", GlobalConfigurationLocator.ResolveGlobalConfigurationPath(environment));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void GlobalConfigurationPath_DefaultsToEtcWhenMilkCheckConfIsUnsetOrEmpty(string? value)
    {
        var environment = new Dictionary<string, string?>();
        if (value is not null)
        {
            environment["MILKCHECK_CONF"] = value;
        }

        Assert.Equal("/etc/milkcheck/milkcheck.conf", GlobalConfigurationLocator.ResolveGlobalConfigurationPath(environment));
    }

    [Fact]
    public void ExplicitPath_WinsOverConfigDirAndResolvesAgainstTheCurrentDirectory()
    {
        var global = GlobalConfiguration.Default with { ConfigDir = "/srv/milkcheck" };

        string resolved = GlobalConfigurationLocator.ResolveConfigurationDirectory(Path.Combine("site", "conf"), global, _directory);

        Assert.Equal(Path.Combine(_directory, "site", "conf"), resolved);
    }

    [Fact]
    public void ExplicitAbsolutePath_IsKept()
    {
        string resolved = GlobalConfigurationLocator.ResolveConfigurationDirectory("/opt/conf", GlobalConfiguration.Default, _directory);

        Assert.Equal(Path.GetFullPath("/opt/conf"), resolved);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void WithoutExplicitPath_ConfigDirIsUsed(string? explicitPath)
    {
        var global = GlobalConfiguration.Default with { ConfigDir = "/srv/milkcheck" };

        Assert.Equal(Path.GetFullPath("/srv/milkcheck"),
            GlobalConfigurationLocator.ResolveConfigurationDirectory(explicitPath, global, _directory));
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("True", true)]
    [InlineData("TRUE", true)]
    [InlineData("on", true)]
    [InlineData("Off", false)]
    [InlineData("no", false)]
    [InlineData("false", false)]
    public void ScalarTyping_PlainYaml11BooleansAreBooleans(string text, bool expected)
    {
        Assert.True(YamlScalarTyping.TryGetBool(new YamlScalarNode(text), out bool value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("y")]
    [InlineData("tRUE")]
    [InlineData("1")]
    public void ScalarTyping_OtherTextIsNoBoolean(string text) =>
        Assert.False(YamlScalarTyping.TryGetBool(new YamlScalarNode(text), out _));

    [Theory]
    [InlineData("42", 42)]
    [InlineData("+7", 7)]
    [InlineData("-12", -12)]
    [InlineData("1_000", 1000)]
    [InlineData("0x1F", 31)]
    [InlineData("010", 8)]
    [InlineData("0b101", 5)]
    [InlineData("1:30", 90)]
    public void ScalarTyping_PlainIntegersFollowYaml11(string text, long expected)
    {
        Assert.True(YamlScalarTyping.TryGetInt(new YamlScalarNode(text), out long value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("2.5")]
    [InlineData("1e5")]
    [InlineData("99999999999999999999")]
    [InlineData("abc")]
    public void ScalarTyping_OtherTextIsNoInteger(string text) =>
        Assert.False(YamlScalarTyping.TryGetInt(new YamlScalarNode(text), out _));

    [Fact]
    public void ScalarTyping_QuotedScalarsAreAlwaysStrings()
    {
        var quoted = new YamlScalarNode("8") { Style = ScalarStyle.DoubleQuoted };
        var single = new YamlScalarNode("yes") { Style = ScalarStyle.SingleQuoted };
        var nullText = new YamlScalarNode("~") { Style = ScalarStyle.SingleQuoted };

        Assert.False(YamlScalarTyping.TryGetInt(quoted, out _));
        Assert.False(YamlScalarTyping.TryGetDouble(quoted, out _));
        Assert.False(YamlScalarTyping.TryGetBool(single, out _));
        Assert.False(YamlScalarTyping.IsNull(nullText));
    }

    [Theory]
    [InlineData("2.5", 2.5)]
    [InlineData("10", 10.0)]
    [InlineData(".5", 0.5)]
    [InlineData("1.0e+3", 1000.0)]
    public void ScalarTyping_NumbersAreDoubles(string text, double expected)
    {
        Assert.True(YamlScalarTyping.TryGetDouble(new YamlScalarNode(text), out double value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("~")]
    [InlineData("null")]
    [InlineData("NULL")]
    [InlineData("")]
    public void ScalarTyping_PlainNullsAreNull(string text) => Assert.True(YamlScalarTyping.IsNull(new YamlScalarNode(text)));

    [Fact]
    public void ScalarTyping_AStrTagKeepsAPlainScalarAString()
    {
        var tagged = new YamlScalarNode("8") { Tag = "tag:yaml.org,2002:str" };

        Assert.False(YamlScalarTyping.TryGetInt(tagged, out _));
    }
}
