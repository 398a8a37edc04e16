using System.Reflection;
using Xunit;

namespace MilkCheck.Engine.Tests;

public sealed class ErrorIdsTests
{
    /// <summary>Every constant of the catalogue and its nested groups, with the group path of its declaring class.</summary>
    private static IEnumerable<(string Group, string Name, string Value)> Catalogue(Type type, string group = "")
    {
        foreach (FieldInfo field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            Assert.True(field.IsLiteral, $"{field.Name} is a constant");
            yield return (group, field.Name, (string)field.GetRawConstantValue()!);
        }

        foreach (Type nested in type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic))
        {
            foreach (var entry in Catalogue(nested, group + nested.Name + "."))
                yield return entry;
        }
    }

    [Fact]
    public void EveryId_IsUniqueAndStartsWithMilkCheck()
    {
        var ids = Catalogue(typeof(ErrorIds)).ToList();

        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.StartsWith("MilkCheck.", id.Value, StringComparison.Ordinal));
        Assert.Empty(ids.GroupBy(id => id.Value).Where(same => same.Count() > 1).Select(same => same.Key));
    }

    [Fact]
    public void EveryId_IsNamedAfterItsValue()
    {
        // ErrorIds.Config.Cycle is MilkCheck.Config.Cycle: a reader finds the constant from the id a user reports.
        Assert.All(Catalogue(typeof(ErrorIds)), id => Assert.Equal("MilkCheck." + id.Group + id.Name, id.Value));
    }

    [Fact]
    public void TheDocumentedIds_KeepTheirValues()
    {
        // A sample of the public contract (architecture.md §4): scripts match FullyQualifiedErrorId on these.
        Assert.Equal("MilkCheck.ActionFailed", ErrorIds.ActionFailed);
        Assert.Equal("MilkCheck.ConfigurationInvalid", ErrorIds.ConfigurationInvalid);
        Assert.Equal("MilkCheck.UnknownService", ErrorIds.UnknownService);
        Assert.Equal("MilkCheck.EmptyNodeSelection", ErrorIds.EmptyNodeSelection);
        Assert.Equal("MilkCheck.Config.Cycle", ErrorIds.Config.Cycle);
        Assert.Equal("MilkCheck.Config.GlobalFileNotFound", ErrorIds.Config.GlobalFileNotFound);
    }
}
