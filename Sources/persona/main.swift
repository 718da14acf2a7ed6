import PersonaCLI

PersonaCommand.main()
