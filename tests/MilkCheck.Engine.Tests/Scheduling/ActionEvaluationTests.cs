using MilkCheck.Scheduling;
using Xunit;

namespace MilkCheck.Engine.Tests.Scheduling;

/// <summary>The table of spec §4.2.5, row by row.</summary>
public sealed class ActionEvaluationTests
{
    [Theory]
    [InlineData(1, 0, 0, 0, 0, ActionStatus.Error)]
    [InlineData(1, 0, 0, 1, 0, ActionStatus.Warning)]
    [InlineData(1, 0, 0, 1, 1, ActionStatus.Done)]
    [InlineData(1, 0, 0, 0, 1, ActionStatus.Error)]     // warnings >= errors is ignored
    [InlineData(0, 1, 0, 0, 0, ActionStatus.Timeout)]
    [InlineData(0, 1, 0, 1, 0, ActionStatus.Warning)]
    [InlineData(1, 1, 0, 1, 0, ActionStatus.Error)]     // mixed failures are never Timeout
    [InlineData(1, 1, 0, 2, 0, ActionStatus.Warning)]
    [InlineData(1, 1, 0, 2, 2, ActionStatus.Done)]
    [InlineData(2, 0, 0, 1, 0, ActionStatus.Error)]
    [InlineData(0, 0, 5, 0, 0, ActionStatus.Done)]
    public void Status_FollowsUpstreamsFormula(int failed, int timedOut, int ok, int errors, int warnings, ActionStatus expected)
    {
        var nodes = Enumerable.Repeat(NodeStatus.Failed, failed)
            .Concat(Enumerable.Repeat(NodeStatus.Timeout, timedOut))
            .Concat(Enumerable.Repeat(NodeStatus.Ok, ok));
        Assert.Equal(expected, ActionEvaluation.Evaluate(nodes, errors, warnings));
    }

    [Theory]
    [InlineData(NodeStatus.Unreachable)]
    [InlineData(NodeStatus.AuthenticationFailed)]
    [InlineData(NodeStatus.HostKeyRejected)]
    public void TransportFailures_CountAsErrorNodes(NodeStatus status)
    {
        Assert.Equal(ActionStatus.Error, ActionEvaluation.Evaluate(new[] { status }, 0, 0));
        Assert.Equal(ActionStatus.Warning, ActionEvaluation.Evaluate(new[] { status, NodeStatus.Ok }, 1, 0));
    }
}
