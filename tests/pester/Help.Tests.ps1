# Every exported cmdlet (the manifest is the list, so a cmdlet added later is checked too) has real help.
BeforeDiscovery {
    $manifest = Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../MilkCheck.psd1')
    # The examples are read at discovery (one test each), so the built module and its help are loaded here too.
    Import-Module (Join-Path $PSScriptRoot '../../out/MilkCheck/MilkCheck.psd1') -Force
    $cmdlets = @($manifest.CmdletsToExport | ForEach-Object {
        $examples = @((Get-Help $_ -ErrorAction SilentlyContinue).examples.example | Where-Object { $_ })
        @{ Name = $_; Examples = @(for ($i = 0; $i -lt $examples.Count; $i++) { @{ Number = $i + 1; Code = "$($examples[$i].code)" } }) }
    })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/MilkCheck/MilkCheck.psd1') -Force
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters
    $repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
}

Describe 'Help of <Name>' -ForEach $cmdlets {
    BeforeAll {
        $help = Get-Help $Name -Full
        $command = Get-Command $Name
    }

    It 'has a synopsis of its own, not the generated syntax' {
        "$($help.Synopsis)".Trim() | Should -Not -BeNullOrEmpty
        "$($help.Synopsis)" | Should -Not -BeLike "*$Name *[<]*"
    }

    It 'has a description' {
        ($help.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty
    }

    It 'describes every parameter' {
        $undocumented = foreach ($parameter in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $entry = $help.parameters.parameter | Where-Object name -eq $parameter
            if (-not $entry -or -not ($entry.description.Text -join '').Trim()) { $parameter }
        }
        $undocumented | Should -BeNullOrEmpty -Because 'docs/help/<cmdlet>.md needs a "### -Name" section per parameter'
    }

    It 'has at least two examples' {
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
    }

    It 'points to no web page' {
        $command.HelpUri | Should -BeNullOrEmpty
    }
}

Describe 'The examples of <Name> run on examples/demo' -ForEach $cmdlets {
    BeforeAll {
        $saved = $env:XDG_STATE_HOME
        # Journals of the example runs go to the test drive, not the user's state folder.
        $env:XDG_STATE_HOME = Join-Path $TestDrive 'state'
        Push-Location $repo
    }
    AfterAll {
        Pop-Location
        $env:XDG_STATE_HOME = $saved
    }

    It 'runs example <Number> without a terminating error' -ForEach $Examples {
        # As typed at a prompt: a failed demo service (compute05) is a non-terminating error, whatever the caller's preference.
        { $ErrorActionPreference = 'Continue'; & ([scriptblock]::Create($Code)) *>&1 | Out-Null } | Should -Not -Throw
    }
}

Describe 'About topics' {
    It 'finds <_>' -ForEach 'about_MilkCheck', 'about_MilkCheck_Configuration' {
        $topic = Get-Help $_
        ($topic | Out-String) | Should -BeLike "*TOPIC*$_*"
    }
}
