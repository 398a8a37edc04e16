using MilkCheck.Configuration;
using MilkCheck.Engine.Tests.Groups;
using MilkCheck.Model;
using Xunit;

namespace MilkCheck.Engine.Tests.Configuration;

public sealed class ServiceConfigurationLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private ServiceModel Load(params (string File, string Yaml)[] files)
    {
        foreach (var (file, yaml) in files)
            _dir.Write(file, yaml);
        return ServiceConfigurationLoader.Load(_dir.Path);
    }

    private static ConfigDiagnostic Single(ServiceModel model, string id) =>
        Assert.Single(model.Diagnostics, d => d.ErrorId == id);

    private const string SpecExample = """
        variables:
          NODES: "node[1-10]"
        services:
          nfs:
            desc: NFS server
            target: "%NODES"
            fanout: 20
            actions:
              start,stop,status:
                cmd: service nfs %ACTION
          app:
            require: [ nfs ]
            after: [ logger ]
            target: "%NODES"
            errors: 1
            actions:
              start:
                check: [ status ]
                cmd: /etc/init.d/app start
              status:
                cmd: /etc/init.d/app status
          logger:
            actions:
              start:
                cmd: logger "starting %SERVICE"
          lustre:
            desc: Lustre
            services:
              mgs:
                target: mgs1
                actions:
                  start: { cmd: shine start -f fs -L }
              ost[1-2]:
                require: [ mgs ]
                target: "oss%(echo 1)"
                mode: delegate
                actions:
                  start: { cmd: ssh %TARGET shine start -f fs }
        """;

    [Fact]
    public void SpecExample_LoadsWithoutProblems()
    {
        ServiceModel model = Load(("cluster.yaml", SpecExample));
        Assert.Empty(model.Diagnostics);
        Assert.Equal(new[] { "nfs", "app", "logger", "lustre", "lustre.mgs", "lustre.ost1", "lustre.ost2" },
            model.Entities.Select(e => e.FullName));
        var nfs = (ServiceEntity)model.ByFullName["nfs"];
        Assert.Equal(new[] { "start", "status", "stop" }, nfs.Actions.Select(a => a.Name));
        var app = model.ByFullName["app"];
        Assert.Equal(new[] { ("nfs", DependencyKind.Require), ("logger", DependencyKind.RequireWeak) },
            app.Dependencies.Select(d => (d.Name, d.Kind)));
        Assert.Same(model.ByFullName["lustre.mgs"], model.ByFullName["lustre.ost1"].Dependencies.Single().Target);
        Assert.Equal("Lustre", model.ByFullName["lustre.ost2"].Description);
        Assert.Equal("node[1-10]", model.Root.Variables["NODES"].Value);
    }

    [Fact]
    public void Files_AreReadInNameOrderAndTheLastDefinitionWinsWithAWarning()
    {
        ServiceModel model = Load(
            ("b.yaml", "services:\n  web:\n    desc: second\n    actions: { start: { cmd: 'true' } }\n"),
            ("a.yml", "services:\n  web:\n    desc: first\n    actions: { start: { cmd: 'true' } }\n"),
            ("ignored.yaml.bak", "services: {x: {}}\n"),
            ("IGNORED.YAML", "services: {y: {}}\n"));
        Assert.Equal("second", model.ByFullName["web"].Description);
        ConfigDiagnostic warning = Single(model, ErrorIds.Config.DuplicateService);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.EndsWith("b.yaml", warning.File);
        Assert.Contains("a.yml:2", warning.Message);
        Assert.False(model.ByFullName.ContainsKey("x"));
        Assert.False(model.ByFullName.ContainsKey("y"));
    }

    [Fact]
    public void SeveralDocuments_AreMerged()
    {
        ServiceModel model = Load(("s.yaml", "services:\n  a: { actions: { start: { cmd: x } } }\n---\n---\nservices:\n  b: { actions: { start: { cmd: y } } }\n"));
        Assert.Equal(new[] { "a", "b" }, model.Entities.Select(e => e.Name));
    }

    [Fact]
    public void UnknownTopLevelKey_IsABadRuleWithItsPosition()
    {
        ServiceModel model = Load(("s.yaml", "services:\n  a: { actions: { start: { cmd: x } } }\nservice_list: []\n"));
        ConfigDiagnostic error = Single(model, ErrorIds.Config.BadRule);
        Assert.Equal((DiagnosticSeverity.Error, 3, 1), (error.Severity, error.Line, error.Column));
        Assert.Contains("Bad rule 'service_list'", error.Message);
    }

    [Fact]
    public void YamlSyntaxError_ReportsFileLineAndColumn()
    {
        ServiceModel model = Load(("bad.yaml", "services:\n  a:\n    require: [ b\n    actions: {}\n"));
        ConfigDiagnostic error = Single(model, ErrorIds.Config.YamlSyntax);
        Assert.EndsWith("bad.yaml", error.File);
        Assert.True(error.Line >= 3, error.ToString());
        Assert.StartsWith(error.File + ":" + error.Line + ":", error.ToString());
    }

    [Fact]
    public void LegacyServiceForm_IsConverted()
    {
        ServiceModel model = Load(("s.yaml", "service:\n  name: legacy\n  desc: old style\n  actions:\n    start: { cmd: x }\n"));
        Assert.Empty(model.Diagnostics);
        Assert.Equal("old style", model.ByFullName["legacy"].Description);
    }

    [Fact]
    public void LegacyDependencyKeys_MapToTheirKinds()
    {
        ServiceModel model = Load(("s.yaml", """
            services:
              a: { actions: { start: { cmd: x } } }
              b: { actions: { start: { cmd: x } } }
              c:
                before: a
                require_filter: [ b ]
                actions: { start: { cmd: x } }
            """));
        Assert.Empty(model.Diagnostics);
        Assert.Equal(new[] { ("a", DependencyKind.RequireWeak), ("b", DependencyKind.Filter) },
            model.ByFullName["c"].Dependencies.Select(d => (d.Name, d.Kind)));
    }

    [Fact]
    public void AliasAndKeyTogether_KeepOnlyTheAliasAsUpstreamAndWarn()
    {
        ServiceModel model = Load(("s.yaml", """
            services:
              a: { actions: { start: { cmd: x } } }
              b: { actions: { start: { cmd: x } } }
              c:
                require_weak: [ a ]
                after: [ b ]
                actions: { start: { cmd: x } }
            """));
        Assert.Equal(new[] { "b" }, model.ByFullName["c"].Dependencies.Select(d => d.Name));
        Assert.Equal(DiagnosticSeverity.Warning, Single(model, ErrorIds.Config.DroppedAlias).Severity);
    }

    [Fact]
    public void SingleStringDependency_IsOneNameEvenWithAComma()
    {
        ServiceModel model = Load(("s.yaml", "services:\n  a: { actions: { start: { cmd: x } } }\n  c:\n    require: \"a,b\"\n    actions: { start: { cmd: x } }\n"));
        ConfigDiagnostic error = Single(model, ErrorIds.Config.UnknownDependency);
        Assert.Contains("'a,b'", error.Message);
        Assert.Equal(4, error.Line);
    }

    [Fact]
    public void UnknownDependency_IsAnErrorAtTheName()
    {
        ServiceModel model = Load(("s.yaml", "services:\n  c:\n    require: [ nope ]\n    actions: { start: { cmd: x } }\n"));
        ConfigDiagnostic error = Single(model, ErrorIds.Config.UnknownDependency);
        Assert.Equal((3, 16), (error.Line, error.Column));
        Assert.Contains("Unknown dependency 'nope'", error.Message);
    }

    [Fact]
    public void DuplicateDependency_IsAnErrorWithAMessage()
    {
        ServiceModel model = Load(("s.yaml", "services:\n  b: { actions: { start: { cmd: x } } }\n  c:\n    require: [ b ]\n    after: [ b ]\n    actions: { start: { cmd: x } }\n"));
        ConfigDiagnostic error = Single(model, ErrorIds.Config.DuplicateDependency);
        Assert.Contains("'b' twice", error.Message);
    }

    [Fact]
    public void DottedFullNames_ResolveFromAnyLevelInAnyOrder()
    {
        ServiceModel model = Load(("s.yaml", """
            services:
              top:
                require: [ lustre.mgs ]
                actions: { start: { cmd: x } }
              lustre:
                services:
                  mgs: { actions: { start: { cmd: x } } }
                  oss:
                    require: [ mgs, other.db ]
                    actions: { start: { cmd: x } }
              other:
                services:
                  db: { actions: { start: { cmd: x } } }
            """));
        Assert.Empty(model.Diagnostics);
        Assert.Same(model.ByFullName["lustre.mgs"], model.ByFullName["top"].Dependencies[0].Target);
        Assert.Same(model.ByFullName["other.db"], model.ByFullName["lustre.oss"].Dependencies[1].Target);
    }

    [Fact]
    public void Cycle_IsReportedWithItsFullPath()
    {
        ServiceModel model = Load(("s.yaml", """
            services:
              a: { require: [ b ], actions: { start: { cmd: x } } }
              b: { require: [ c ], actions: { start: { cmd: x } } }
              c: { after: [ a ], actions: { start: { cmd: x } } }
            """));
        ConfigDiagnostic error = Single(model, ErrorIds.Config.Cycle);
        Assert.Contains("a -> b -> c -> a", error.Message);
    }

    [Fact]
    public void SelfDependency_IsACycle()
    {
        ServiceModel model = Load(("s.yaml", "services:\n  a: { require: [ a ], actions: { start: { cmd: x } } }\n"));
        Assert.Contains("a -> a", Single(model, ErrorIds.Config.Cycle).Message);
    }

    [Fact]
    public void NamePatterns_ExpandToOneEntityEach()
    {
        ServiceModel model = Load(("s.yaml", "services:\n  da[1-3],ch[01-02]:\n    actions:\n      start,stop: { cmd: x }\n"));
        Assert.Equal(new[] { "ch01", "ch02", "da1", "da2", "da3" }, model.Entities.Select(e => e.Name));
        Assert.All(model.Entities.Cast<ServiceEntity>(), s => Assert.Equal(new[] { "start", "stop" }, s.Actions.Select(a => a.Name)));
    }

    [Fact]
    public void BadNamePattern_IsAnErrorWithTheReason()
    {
        ServiceModel model = Load(("s.yaml", "services:\n  'da[1-':\n    actions: { start: { cmd: x } }\n"));
        ConfigDiagnostic error = Single(model, ErrorIds.Config.InvalidName);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void UnknownKeys_AreWarningsNamingTheKey()
    {
        ServiceModel model = Load(("s.yaml", "services:\n  a:\n    requires: [ b ]\n    actions: { start: { cmd: x, tiemout: 3 } }\n"));
        var warnings = model.Diagnostics.Where(d => d.ErrorId == ErrorIds.Config.UnknownKey).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(DiagnosticSeverity.Warning, w.Severity));
        Assert.Contains("'requires'", warnings[0].Message);
        Assert.Contains("'tiemout'", warnings[1].Message);
    }

    [Fact]
    public void WrongTypes_AreAllReportedInOnePass()
    {
        ServiceModel model = Load(("s.yaml", """
            services:
              a:
                fanout: "8x"
                errors: -1
                remote: maybe
                mode: turbo
                actions:
                  start: { cmd: true }
                  stop: { timeout: soon }
            """));
        var errors = model.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.Equal(new[] { 3, 4, 5, 6, 8, 9, 9 }, errors.Select(e => e.Line));
    }

    [Fact]
    public void NumericPropertiesMayBeVariableReferences()
    {
        ServiceModel model = Load(("s.yaml", "variables: { T: 3 }\nservices:\n  a:\n    timeout: '%T'\n    actions: { start: { cmd: x } }\n"));
        Assert.Empty(model.Diagnostics);
    }

    [Fact]
    public void UnknownCheckAction_IsAnError()
    {
        ServiceModel model = Load(("s.yaml", "services:\n  a:\n    actions:\n      start: { cmd: x, check: [ stauts ] }\n"));
        Assert.Contains("'stauts'", Single(model, ErrorIds.Config.UnknownCheckAction).Message);
    }

    [Fact]
    public void ActionsOnAGroup_AreIgnoredWithAWarning()
    {
        ServiceModel model = Load(("s.yaml", "services:\n  g:\n    actions: { start: { cmd: x } }\n    services:\n      m: { actions: { start: { cmd: y } } }\n"));
        Assert.Equal(DiagnosticSeverity.Warning, Single(model, ErrorIds.Config.IgnoredKey).Severity);
        Assert.Equal(EntityKind.Group, model.ByFullName["g"].Kind);
    }

    [Fact]
    public void Inheritance_FollowsUpstreamRules()
    {
        ServiceModel model = Load(("s.yaml", """
            services:
              g:
                target: "n[1-4]"
                desc: the group
                errors: 2
                timeout: 5
                remote: false
                tags: [ lustre ]
                services:
                  m:
                    errors: 0
                    timeout: 0
                    target: ""
                    remote: true
                    actions:
                      start: { cmd: x, desc: "" }
                  k:
                    actions:
                      start: { cmd: x, retry: 1 }
            """));
        Assert.Empty(model.Diagnostics);
        Entity m = model.ByFullName["g.m"], k = model.ByFullName["g.k"];
        Assert.Equal(2L, m.Properties.Get("errors"));          // false-y child takes the parent's value
        Assert.Equal(0L, m.Properties.Get("timeout"));         // 0 is kept
        Assert.Equal("", m.TargetText);                        // explicit empty target kept
        Assert.Equal(false, m.Properties.Get("remote"));       // AND of the chain
        Assert.Equal("n[1-4]", k.TargetText);
        Assert.Equal("the group", k.Description);
        Assert.Equal(new[] { "lustre" }, k.Tags);
        ActionDefinition start = ((ServiceEntity)m).Actions[0];
        Assert.Equal("", start.Properties.Get("desc"));        // "" kept on the action
        Assert.Equal(2L, start.Properties.Get("errors"));
        Assert.Equal(1L, ((ServiceEntity)k).Actions[0].Properties.Get("retry"));
    }

    [Fact]
    public void MissingPath_IsANotFoundError()
    {
        ServiceModel model = ServiceConfigurationLoader.Load(Path.Combine(_dir.Path, "nope"));
        Assert.Equal(DiagnosticSeverity.Error, Single(model, ErrorIds.Config.NotFound).Severity);
    }

    [Fact]
    public void SingleFile_CanBeLoaded()
    {
        string file = _dir.Write("one.yaml", "services:\n  a: { actions: { start: { cmd: x } } }\n");
        Assert.Equal("a", ServiceConfigurationLoader.Load(file).Entities.Single().Name);
    }

    [Fact]
    public void YamlScannerError_IsASyntaxDiagnosticToo()
    {
        ServiceModel model = Load(("s.yaml", "services:\n  a:\n    desc: 'unclosed\n"));
        ConfigDiagnostic error = Single(model, ErrorIds.Config.YamlSyntax);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.True(error.Line >= 3);
    }

    [Fact]
    public void UnclosedFlowSequence_IsReportedWithoutDotNetExceptionText()
    {
        ServiceModel model = Load(("s.yaml", "services:\n  a:\n    b: [unclosed\n    c: d\n"));
        ConfigDiagnostic error = Single(model, ErrorIds.Config.YamlSyntax);
        Assert.Contains("unclosed '['", error.Message);
        Assert.DoesNotContain("Operation is not valid", error.Message);
        Assert.DoesNotContain("current state of the object", error.Message);
    }

    [Fact]
    public void BrokenFile_DoesNotHideProblemsOfTheOtherFiles()
    {
        ServiceModel model = Load(("a.yaml", "services: [\n"), ("b.yaml", "services:\n  b: { require: [ zz ], actions: { start: { cmd: x } } }\n"));
        Assert.Contains(model.Diagnostics, d => d.ErrorId == ErrorIds.Config.YamlSyntax && d.File.EndsWith("a.yaml"));
        Assert.Contains(model.Diagnostics, d => d.ErrorId == ErrorIds.Config.UnknownDependency && d.File.EndsWith("b.yaml"));
    }
}
