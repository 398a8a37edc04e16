using MilkCheck.Configuration;
using MilkCheck.Engine.Tests.Groups;
using MilkCheck.Model;
using MilkCheck.Variables;
using Xunit;

namespace MilkCheck.Engine.Tests.Variables;

/// <summary>Variables as the loader resolves them (spec §2.7, §3.5).</summary>
public sealed class VariableLoadingTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private ServiceModel Load(string yaml, LoadOptions options)
    {
        File.WriteAllText(Path.Combine(_dir.Path, "services.yaml"), yaml);
        return ServiceConfigurationLoader.Load(_dir.Path, null, options: options);
    }

    private ServiceModel Load(string yaml, bool runCommands = false)
    {
        _dir.Write("site.yaml", yaml);
        return ServiceConfigurationLoader.Load(_dir.Path, runCommands ? new ShellCommandSubstitution() : null);
    }

    [Fact]
    public void Targets_ResolveVariablesAndFold()
    {
        ServiceModel model = Load("variables: { NODES: 'n3,n1,n2' }\nservices:\n  a:\n    target: '%NODES,m1'\n    actions: { start: { cmd: x } }\n");
        Assert.Empty(model.Diagnostics);
        Assert.Equal("m1,n[1-3]", model.ByFullName["a"].TargetText);
    }

    [Fact]
    public void GroupTarget_ResolvesInTheGroupScopeAndIsInheritedResolved()
    {
        ServiceModel model = Load("services:\n  g:\n    target: 'x%NAME'\n    services:\n      m: { actions: { start: { cmd: x } } }\n");
        Assert.Equal("xg", model.ByFullName["g.m"].TargetText);
    }

    [Fact]
    public void TargetCommandSubstitution_RunsAtLoadOnlyWhenAllowed()
    {
        const string yaml = "services:\n  a:\n    target: 'oss%(echo 1)'\n    actions: { start: { cmd: x } }\n";
        Assert.Equal("oss1", Load(yaml, runCommands: true).ByFullName["a"].TargetText);
        Assert.Equal("oss", Load(yaml, runCommands: false).ByFullName["a"].TargetText);
    }

    [Fact]
    public void UndefinedVariable_InACommandIsAnErrorAtTheCommand()
    {
        ServiceModel model = Load("services:\n  a:\n    actions:\n      start: { cmd: 'echo %NOPE' }\n");
        ConfigDiagnostic error = Assert.Single(model.Diagnostics);
        Assert.Equal((ErrorIds.Config.UndefinedVariable, 4), (error.ErrorId, error.Line));
        Assert.Contains("'NOPE'", error.Message);
    }

    [Fact]
    public void StrayPercent_IsAnErrorSayingToDoubleIt()
    {
        ServiceModel model = Load("services:\n  a:\n    actions:\n      start: { cmd: 'df | grep 90%' }\n");
        ConfigDiagnostic error = Assert.Single(model.Diagnostics);
        Assert.Equal(ErrorIds.Config.InvalidPlaceholder, error.ErrorId);
        Assert.Contains("%%", error.Message);
    }

    [Fact]
    public void ActionAutomaticVariables_AreKnown()
    {
        ServiceModel model = Load("services:\n  a:\n    desc: 'svc %SERVICE'\n    actions:\n      start: { cmd: 'echo %ACTION %SERVICE %NAME %TARGET %TIMEOUT %TAGS' }\n");
        Assert.Empty(model.Diagnostics);
    }

    [Fact]
    public void ActionVariableOutsideAnAction_IsUndefined()
    {
        ServiceModel model = Load("services:\n  a:\n    desc: 'svc %ACTION'\n    actions:\n      start: { cmd: x }\n");
        Assert.Equal(ErrorIds.Config.UndefinedVariable, Assert.Single(model.Diagnostics).ErrorId);
    }

    [Theory]
    [InlineData("services:\n  a:\n    variables: { NAME: x }\n    actions: { start: { cmd: x } }\n")]
    [InlineData("services:\n  a:\n    actions:\n      start: { cmd: x, variables: { ACTION: y } }\n")]
    [InlineData("variables: { SELECTED_NODES: n1 }\nservices:\n  a: { actions: { start: { cmd: x } } }\n")]
    public void ReservedNames_CannotBeDeclared(string yaml) =>
        Assert.Equal(ErrorIds.Config.ReservedVariable, Assert.Single(Load(yaml).Diagnostics).ErrorId);

    [Fact]
    public void LowercaseAutomaticNames_MayBeDeclared() =>
        Assert.Empty(Load("services:\n  a:\n    variables: { name: x }\n    actions: { start: { cmd: '%name' } }\n").Diagnostics);

    [Fact]
    public void DependencyList_MayComeFromAListVariable()
    {
        ServiceModel model = Load("""
            variables:
              DEPS: [ a, b ]
            services:
              a: { actions: { start: { cmd: x } } }
              b: { actions: { start: { cmd: x } } }
              c:
                require: "%DEPS"
                actions: { start: { cmd: x } }
            """);
        Assert.Empty(model.Diagnostics);
        Assert.Equal(new[] { "a", "b" }, model.ByFullName["c"].Dependencies.Select(d => d.Name));
    }

    [Fact]
    public void NumericPropertyFromAVariable_MustResolveToANumber()
    {
        ServiceModel good = Load("variables: { T: 5 }\nservices:\n  a:\n    timeout: '%T'\n    actions: { start: { cmd: x } }\n");
        Assert.Empty(good.Diagnostics);
        ServiceModel bad = Load("variables: { T: soon }\nservices:\n  a:\n    timeout: '%T'\n    actions: { start: { cmd: x } }\n");
        // Reported for the service and for its action, which inherits the timeout.
        Assert.NotEmpty(bad.Diagnostics);
        Assert.All(bad.Diagnostics, d => Assert.Equal(ErrorIds.Config.WrongType, d.ErrorId));
    }

    [Fact]
    public void InvalidTarget_IsReportedAtTheTarget()
    {
        ServiceModel model = Load("services:\n  a:\n    target: 'n[1-'\n    actions: { start: { cmd: x } }\n");
        ConfigDiagnostic error = Assert.Single(model.Diagnostics);
        Assert.Equal((ErrorIds.Config.InvalidTarget, 3), (error.ErrorId, error.Line));
    }

    [Fact]
    public void Descriptions_AreResolvedForListing()
    {
        ServiceModel model = Load("variables: { FS: scratch }\nservices:\n  g:\n    desc: 'Lustre %FS'\n    services:\n      m: { actions: { start: { cmd: x } } }\n");
        Assert.Equal("Lustre scratch", model.ByFullName["g"].Description);
        Assert.Equal("Lustre scratch", model.ByFullName["g.m"].Description);
    }

    [Fact]
    public void TargetCommandNotFound_IsACommandFailedError()
    {
        ServiceModel model = Load("services:\n  a:\n    target: 'n%(exit 127)'\n    actions: { start: { cmd: x } }\n", runCommands: true);
        ConfigDiagnostic error = Assert.Single(model.Diagnostics);
        Assert.Equal((ErrorIds.Config.CommandFailed, 3), (error.ErrorId, error.Line));
        Assert.Contains("Cannot evaluate expression 'exit 127'", error.Message);
    }

    [Fact]
    public void Defines_ReplaceFileVariablesAtRunTimeButNotLoadedTargets()
    {
        ServiceModel model = Load("variables: { X: file, N: 'n1' }\nservices:\n  a:\n    target: '%N'\n    actions: { start: { cmd: 'echo %X %SELECTED_NODES' } }\n");
        var scopes = ScopeSet.ForRun(new Dictionary<string, string> { ["X"] = "defined", ["N"] = "n9" }, "n[1-2]", "");
        var action = ((ServiceEntity)model.ByFullName["a"]).Actions[0];
        Assert.Equal("echo defined n[1-2]", new VariableResolver(null).ResolveString((string)action.Command!, scopes.For(action)));
        Assert.Equal("n1", model.ByFullName["a"].TargetText); // targets were resolved at load, as upstream
    }

    [Fact]
    public void DefiningAnAutomaticName_IsRefused() =>
        Assert.Throws<ArgumentException>(() => ScopeSet.ForRun(new Dictionary<string, string> { ["NAME"] = "x" }, "", ""));

    private const string UsesUndeclaredLog = "services:\n  good:\n    actions:\n      start: { cmd: 'echo %LOG', desc: 'logs to %LOG', timeout: '%WAIT' }\n";

    [Fact]
    public void AVariableOnlyADefineGives_IsAWarningNamingDefine_WhenTheLoadIsNotForARun()
    {
        ServiceModel model = Load(UsesUndeclaredLog, new LoadOptions());
        Assert.All(model.Diagnostics, d => Assert.Equal((DiagnosticSeverity.Warning, ErrorIds.Config.UndefinedVariable), (d.Severity, d.ErrorId)));
        Assert.Contains(model.Diagnostics, d => d.Message.Contains("'LOG'") && d.Message.Contains("-Define") && d.Line == 4);
        Assert.DoesNotContain(model.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void AVariableNothingDefines_IsAnError_WhenTheLoadIsForARun()
    {
        ServiceModel model = Load(UsesUndeclaredLog, new LoadOptions { UndefinedRunVariableIsError = true });
        Assert.Contains(model.Diagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Message.Contains("'LOG'"));
    }

    [Fact]
    public void DefinesOfUndeclaredNames_ResolveInCommandsDescriptionsAndNumbers()
    {
        var defines = new Dictionary<string, string> { ["LOG"] = "/tmp/run.log", ["WAIT"] = "5" };
        ServiceModel model = Load(UsesUndeclaredLog, new LoadOptions { Defines = defines, UndefinedRunVariableIsError = true });
        Assert.Empty(model.Diagnostics);
    }

    [Fact]
    public void ADefineNeverResolvesInATarget()
    {
        ServiceModel model = Load("services:\n  a:\n    target: '%NODES'\n    actions: { start: { cmd: x } }\n",
            new LoadOptions { Defines = new Dictionary<string, string> { ["NODES"] = "n1" } });
        ConfigDiagnostic error = Assert.Single(model.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Error, ErrorIds.Config.UndefinedVariable, 3), (error.Severity, error.ErrorId, error.Line));
    }

    [Theory]
    [InlineData("cmd: 'echo %SELECTED_NODES %EXCLUDED_NODES'")]
    [InlineData("cmd: 'echo %{SELECTED_NODES}x', desc: 'on %EXCLUDED_NODES'")]
    public void NodeSelections_AreDefinedInEveryRunTimeProperty(string action)
    {
        ServiceModel model = Load($"variables: {{ SEL: '%SELECTED_NODES' }}\nservices:\n  a:\n    target: 'n[1-2]'\n    actions:\n      start: {{ {action} }}\n      stop: {{ cmd: 'echo %SEL' }}\n",
            new LoadOptions { UndefinedRunVariableIsError = true });
        Assert.Empty(model.Diagnostics);
    }

    [Fact]
    public void NodeSelections_CannotBeUsedInATarget()
    {
        ServiceModel model = Load("services:\n  a:\n    target: '%SELECTED_NODES'\n    actions: { start: { cmd: x } }\n", new LoadOptions());
        Assert.Equal(ErrorIds.Config.UndefinedVariable, Assert.Single(model.Diagnostics).ErrorId);
    }

    [Theory]
    [InlineData("fanout: 0")]
    [InlineData("fanout: '%F'")]
    [InlineData("fanout: 2.5")]
    [InlineData("retry: '%NEG'")]
    [InlineData("timeout: '%WORD'")]
    public void A_numeric_property_follows_one_rule_whether_written_or_referenced(string property)
    {
        ServiceModel model = Load($"variables: {{ F: 0, NEG: -1, WORD: soon }}\nservices:\n  a:\n    {property}\n    actions: {{ start: {{ cmd: x }} }}\n");
        ConfigDiagnostic error = Assert.Single(model.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Error, ErrorIds.Config.WrongType, 4), (error.Severity, error.ErrorId, error.Line));
        Assert.Contains("must be a", error.Message);
    }

    [Fact]
    public void A_numeric_Define_breaking_the_rule_stops_the_run_as_a_written_value_would()
    {
        var defines = new Dictionary<string, string> { ["F"] = "0" };
        ServiceModel model = Load("services:\n  a:\n    fanout: '%F'\n    actions: { start: { cmd: x } }\n",
            new LoadOptions { Defines = defines, UndefinedRunVariableIsError = true });
        Assert.Equal(ErrorIds.Config.WrongType, Assert.Single(model.Diagnostics).ErrorId);
    }
}
