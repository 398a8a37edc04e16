using MilkCheck.Variables;
using Xunit;

namespace MilkCheck.Engine.Tests.Variables;

public sealed class VariableResolverTests
{
    private sealed class Scope : IVariableScope
    {
        public Scope(IVariableScope? parent = null) => Parent = parent;
        public IVariableScope? Parent { get; }
        public Dictionary<string, object?> User { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, object?> Automatic { get; } = new(StringComparer.OrdinalIgnoreCase);
        public bool TryGetUserVariable(string name, out object? value) => User.TryGetValue(name, out value);
        public bool TryGetAutomaticVariable(string name, out object? value) => Automatic.TryGetValue(name, out value);
        public string Describe() => "test scope";
    }

    private sealed class FakeCommands : ICommandSubstitution
    {
        public List<string> Ran { get; } = new();
        public (string Output, int ExitCode) Run(string command, CancellationToken cancellationToken)
        {
            Ran.Add(command);
            return command.StartsWith("fail", StringComparison.Ordinal) ? ("", 127) : ("out:" + command, 0);
        }
    }

    private sealed class RecordingLog : ISubstitutionLog
    {
        public List<string> Lines { get; } = new();
        public void Replaced(string before, string after) => Lines.Add($"'{before}' -> '{after}'");
        public void CommandExited(string command, int exitCode, string output) => Lines.Add($"{command} exited {exitCode}: '{output}'");
    }

    private sealed class NewlineCommands : ICommandSubstitution
    {
        public List<string> Ran { get; } = new();
        public (string Output, int ExitCode) Run(string command, CancellationToken cancellationToken)
        {
            Ran.Add(command);
            return (command + "\r\n\n", 0);
        }
    }

    [Fact]
    public void EachValueASubstitutionChanges_IsLogged_InnerValuesFirst_UnchangedOnesNot()
    {
        var scope = new Scope();
        scope.User["A"] = "%B-a";
        scope.User["B"] = "b";
        scope.User["L"] = new object?[] { "x", "y" };
        var log = new RecordingLog();
        var resolver = new VariableResolver(null, log);
        Assert.Equal("echo b-a b", resolver.ResolveString("echo %A %B", scope));
        Assert.Equal("plain", resolver.ResolveString("plain", scope));
        Assert.Equal(new object?[] { "x", "y" }, resolver.Resolve("%L", scope));
        Assert.Equal(new[] { "'%B-a' -> 'b-a'", "'echo %A %B' -> 'echo b-a b'", "'%L' -> '['x', 'y']'" }, log.Lines);
    }

    [Fact]
    public void ACommandSubstitution_IsLoggedWithItsRawOutput_AndLosesOnlyItsTrailingNewlines()
    {
        var scope = new Scope();
        scope.User["W"] = "world";
        var log = new RecordingLog();
        var resolver = new VariableResolver(new NewlineCommands(), log);
        Assert.Equal("[echo world\r]", resolver.ResolveString("[%(echo %W)]", scope));
        Assert.Equal(new[] { "'echo %W' -> 'echo world'", "echo world exited 0: 'echo world\r\n\n'", "'[%(echo %W)]' -> '[echo world\r]'" }, log.Lines);
    }

    [Fact]
    public void AUserVariable_IsResolvedOncePerResolver_SoItsCommandRunsOnce()
    {
        var root = new Scope();
        root.User["STAMP"] = "%(date)";
        var one = new Scope(root);
        var two = new Scope(root);
        var commands = new FakeCommands();
        var resolver = new VariableResolver(commands);
        Assert.Equal("out:date out:date", resolver.ResolveString("%STAMP %STAMP", one));
        Assert.Equal("out:date", resolver.ResolveString("%STAMP", two));
        Assert.Single(commands.Ran);
        new VariableResolver(commands).ResolveString("%STAMP", one); // another run resolves it again
        Assert.Equal(2, commands.Ran.Count);
    }

    [Fact]
    public void AVariableThatIsOneReference_PassesTheReferencedTypeOn()
    {
        var scope = new Scope();
        scope.User["DEPS"] = new object?[] { "a", "b" };
        scope.User["ALIAS"] = "%DEPS";
        Assert.Equal(new object?[] { "a", "b" }, new VariableResolver(null).Resolve("%ALIAS", scope));
    }

    private static string Resolve(string text, IVariableScope scope, ICommandSubstitution? commands = null) =>
        new VariableResolver(commands).ResolveString(text, scope);

    [Fact]
    public void AllForms_AreSubstituted()
    {
        var scope = new Scope();
        scope.User["FOO"] = "f";
        scope.User["BAR"] = "b";
        Assert.Equal("f b fbar f.bar 50% fb", Resolve("%FOO %BAR %{FOO}bar %FOO.bar 50%% %FOO%BAR", scope));
    }

    [Theory]
    [InlineData("echo 50%", 7)]
    [InlineData("echo %1", 5)]
    [InlineData("echo % x", 5)]
    [InlineData("echo %-x", 5)]
    [InlineData("echo %{x", 5)]
    public void StrayPercent_IsAnInvalidPlaceholderWithItsOffset(string text, int offset)
    {
        var error = Assert.Throws<VariableException>(() => Resolve(text, new Scope()));
        Assert.Equal(VariableErrorKind.InvalidPlaceholder, error.Kind);
        Assert.Equal(offset, error.Offset);
    }

    [Fact]
    public void UndefinedVariable_IsReportedByName()
    {
        var error = Assert.Throws<VariableException>(() => Resolve("x %NOPE", new Scope()));
        Assert.Equal(VariableErrorKind.Undefined, error.Kind);
        Assert.Contains("'NOPE'", error.Message);
    }

    [Fact]
    public void Lookup_GoesUserThenAutomaticThenParent()
    {
        var root = new Scope();
        root.User["name"] = "custom";
        root.User["X"] = "root-x";
        var child = new Scope(root);
        child.Automatic["NAME"] = "child";
        child.User["Y"] = "own";
        child.Automatic["Y"] = "automatic";
        Assert.Equal("child", Resolve("%name", child));      // nearer automatic hides an outer user variable
        Assert.Equal("own", Resolve("%Y", child));           // own user variable wins over own automatic
        Assert.Equal("root-x", Resolve("%X", child));
        Assert.Equal("child", Resolve("%NaMe", child));      // automatic names are case-insensitive
    }

    [Fact]
    public void VariableValues_ResolveInTheirDeclaringScope()
    {
        var root = new Scope();
        root.Automatic["NAME"] = "MAIN";
        root.User["X"] = "%NAME";
        var action = new Scope(root);
        action.Automatic["NAME"] = "start";
        Assert.Equal("MAIN", Resolve("%X", action));
        Assert.Equal("start", Resolve("%NAME", action));
    }

    [Fact]
    public void WholeStringReference_KeepsTheValueType()
    {
        var scope = new Scope();
        scope.User["T"] = 3L;
        scope.User["DEPS"] = new object?[] { "a", "b" };
        var resolver = new VariableResolver(null);
        Assert.Equal(3L, resolver.Resolve("%T", scope));
        Assert.Equal(3L, resolver.Resolve("%{T}", scope));
        Assert.Equal(new object?[] { "a", "b" }, resolver.Resolve("%DEPS", scope));
        Assert.Equal("3s", resolver.Resolve("%{T}s", scope));
        Assert.Equal("['a', 'b']", resolver.Resolve("%DEPS ", scope) is string s ? s.TrimEnd() : null);
        Assert.Equal(true, resolver.Resolve(true, scope));
    }

    [Fact]
    public void CommandSubstitution_RunsTheSubstitutedTextUpToTheFirstParenthesis()
    {
        var scope = new Scope();
        scope.User["N"] = "3";
        var commands = new FakeCommands();
        Assert.Equal("[out:seq %N]", Resolve("[%(seq %%N)]", scope, commands));
        Assert.Equal("out:echo $(date)", Resolve("%(echo $(date))", scope, commands)); // cut at the first ')', as upstream
        Assert.Equal("out:seq 3", Resolve("%(seq %N)", scope, commands));
    }

    [Fact]
    public void CommandExitStatusFrom126_IsAnError()
    {
        var error = Assert.Throws<VariableException>(() => Resolve("%(fail)", new Scope(), new FakeCommands()));
        Assert.Equal(VariableErrorKind.CommandFailed, error.Kind);
        Assert.Contains("Cannot evaluate expression 'fail'", error.Message);
    }

    [Fact]
    public void WithoutCommands_NothingRuns()
    {
        var resolver = new VariableResolver(null);
        Assert.Equal("node", resolver.ResolveString("node%(hostname)", new Scope()));
        Assert.Equal(1, resolver.SkippedCommands);
    }

    [Fact]
    public void ExecPlaceholders_SurviveAsSinglePercent() =>
        Assert.Equal("ping -c1 %h", Resolve("ping -c1 %%h", new Scope()));

    [Fact]
    public void SelfReference_IsARecursionErrorNotAStackOverflow()
    {
        var scope = new Scope();
        scope.User["A"] = "x%B";
        scope.User["B"] = "%A";
        var error = Assert.Throws<VariableException>(() => Resolve("%A", scope));
        Assert.Equal(VariableErrorKind.Recursion, error.Kind);
        Assert.Contains("%A -> %B -> %A", error.Message);
    }

    [Fact]
    public void NonStringValues_PrintAsUpstream()
    {
        var scope = new Scope();
        scope.User["N"] = null;
        scope.User["B"] = false;
        scope.User["F"] = 1.5;
        Assert.Equal("None False 1.5", Resolve("%N %B %F", scope));
    }

    [Fact]
    public void RealShell_GivesTheOutputAsWritten_TheResolverStripsTrailingNewlines_OtherStatusesAreAccepted()
    {
        var shell = new ShellCommandSubstitution();
        Assert.Equal(("a\n\n", 0), shell.Run("printf 'a\\n\\n'", CancellationToken.None));
        Assert.Equal("a", Resolve("%(printf 'a\\n\\n')", new Scope(), shell));
        Assert.Equal("partial", Resolve("%(echo partial; exit 3)", new Scope(), shell));
        Assert.Equal("oss1", Resolve("oss%(echo 1)", new Scope(), shell));
        Assert.Throws<VariableException>(() => Resolve("%(exit 127)", new Scope(), shell));
    }
}
