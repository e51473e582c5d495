import CCurses
import GateCore
import GateStore
