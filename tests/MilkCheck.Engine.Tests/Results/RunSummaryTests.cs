using Xunit;

namespace MilkCheck.Engine.Tests.Results;

public sealed class RunSummaryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ActionResult Result(string service, ActionStatus status, bool entry = true, string group = "",
        EntityKind kind = EntityKind.Service, string? desc = null, params ActionResult[] checks) =>
        new(service, group, kind, "start", status, entry, "", "", Array.Empty<NodeResult>(), checks, "true",
            T0, TimeSpan.FromSeconds(1), 1, desc);

    [Fact]
    public void AllDone_ExitsZero() =>
        Assert.Equal(0, RunSummary.FromResults(new[] { Result("a", ActionStatus.Done), Result("b", ActionStatus.Done) }).ExitCode);

    [Theory]
    [InlineData(ActionStatus.Error)]
    [InlineData(ActionStatus.Timeout)]
    [InlineData(ActionStatus.DependencyError)]
    public void FailedEntry_ExitsSix(ActionStatus status) =>
        Assert.Equal(6, RunSummary.FromResults(new[] { Result("a", status), Result("b", ActionStatus.Warning, entry: false) }).ExitCode);

    [Fact]
    public void NoResult_ExitsNine_UNKNOWN()
    {
        RunSummary summary = RunSummary.FromResults(Array.Empty<ActionResult>());
        Assert.Equal(9, summary.ExitCode);
        Assert.Equal("UNKNOWN", summary.NagiosStatus);
        Assert.Equal(0, summary.Total);
    }

    [Theory]
    [InlineData(ActionStatus.Done, "OK")]
    [InlineData(ActionStatus.Warning, "WARNING")]
    [InlineData(ActionStatus.Error, "CRITICAL")]
    public void NagiosStatus_MapsTheExitCode(ActionStatus status, string nagios) =>
        Assert.Equal(nagios, RunSummary.FromResults(new[] { Result("a", status) }).NagiosStatus);

    [Fact]
    public void TopLevelWarning_ExitsThreeEvenWhenNotAnEntry() =>
        Assert.Equal(3, RunSummary.FromResults(new[] { Result("entry", ActionStatus.Done), Result("dep", ActionStatus.Warning, entry: false) }).ExitCode);

    [Fact]
    public void WarningInsideAGroup_ExitsZero() =>
        Assert.Equal(0, RunSummary.FromResults(new[] { Result("g.m", ActionStatus.Warning, entry: false, group: "g"), Result("g", ActionStatus.Done, kind: EntityKind.Group) }).ExitCode);

    [Fact]
    public void FailureBehindAWeakEdge_ExitsZero() =>
        Assert.Equal(0, RunSummary.FromResults(new[] { Result("ok_svc", ActionStatus.Done), Result("fail_svc", ActionStatus.Error, entry: false) }).ExitCode);

    [Fact]
    public void Counts_FollowUpstream()
    {
        RunSummary summary = RunSummary.FromResults(new[]
        {
            Result("a", ActionStatus.Done, checks: Result("a", ActionStatus.Done)),
            Result("b", ActionStatus.Error, desc: "the b service"),
            Result("c", ActionStatus.Skipped),
            Result("d", ActionStatus.DependencyError),
            Result("e", ActionStatus.Missing),
            Result("g", ActionStatus.Done, kind: EntityKind.Group),
            Result("f", ActionStatus.Timeout),
        });
        Assert.Equal(4, summary.Total);   // a + its check, b, f; skipped/dep-error/missing/groups count nothing
        Assert.Equal(2, summary.Failed);
        Assert.Equal(new[] { "b.start", "f.start" }, summary.FailedActions);
        Assert.Equal(2, summary.Counts["Done"]);
        Assert.Equal(1, summary.Counts["Skipped"]);
        Assert.Equal(0, summary.Counts["Locked"]);
        Assert.Equal("\n SUMMARY - 4 actions (2 failed)\n + b.start - the b service\n + f.start", summary.ToString());
    }

    [Fact]
    public void SingleAction_IsSingular() =>
        Assert.Equal("\n SUMMARY - 1 action (0 failed)", RunSummary.FromResults(new[] { Result("a", ActionStatus.Done) }).ToString());
}
