import PersonaCLI
import PersonaIO

SystemAllocator.keepBuffersForReuse()
PersonaCommand.main()
