import Testing
@testable import Coordination

@Suite struct RoundRobinTests {
    let members = [
        Member(agentID: "a", agentName: "ann"), Member(agentID: "b", agentName: "bob", agentIsActive: false),
        Member(agentID: "c", agentName: "cat", isActive: false), Member(agentID: "d", agentName: "dan"),
    ]

    @Test func theMemberAtTheIndexTakesTheTurnAndTheNextIndexFollowsIt() {
        #expect(RoundRobin.turn(in: members, currentIndex: 0, skipUnavailable: true) == .init(index: 0, nextIndex: 1))
        #expect(RoundRobin.turn(in: members, currentIndex: 3, skipUnavailable: true) == .init(index: 3, nextIndex: 0))
    }

    @Test func skipUnavailablePassesOverSuspendedAgentsAndInactiveMemberships() {
        // b's agent is suspended, c's membership inactive: from 1 the turn goes to d.
        #expect(RoundRobin.turn(in: members, currentIndex: 1, skipUnavailable: true) == .init(index: 3, nextIndex: 0))
        #expect(RoundRobin.turn(in: members, currentIndex: 2, skipUnavailable: true) == .init(index: 3, nextIndex: 0))
    }

    @Test func withoutSkipUnavailableTheMemberAtTheIndexTakesTheTurnEvenWhenUnavailable() {
        #expect(RoundRobin.turn(in: members, currentIndex: 1, skipUnavailable: false) == .init(index: 1, nextIndex: 2))
    }

    @Test func anIndexBeyondTheMembersWrapsModuloTheirCount() {
        #expect(RoundRobin.turn(in: members, currentIndex: 9, skipUnavailable: false) == .init(index: 1, nextIndex: 2))
        #expect(RoundRobin.turn(in: members, currentIndex: -1, skipUnavailable: false) == .init(index: 3, nextIndex: 0))
    }

    @Test func anEmptyGroupOrNobodyAvailableHasNoTurn() {
        #expect(RoundRobin.turn(in: [], currentIndex: 0, skipUnavailable: true) == nil)
        #expect(RoundRobin.turn(in: [], currentIndex: 0, skipUnavailable: false) == nil)
        let suspended = members.map { member in var member = member; member.agentIsActive = false; return member }
        #expect(RoundRobin.turn(in: suspended, currentIndex: 2, skipUnavailable: true) == nil)
    }

    @Test func availabilityIsAskedLazilyFromTheIndexOn() {
        var asked: [Int] = []
        let turn = RoundRobin.turn(memberCount: 5, currentIndex: 3, skipUnavailable: true) { position in
            asked.append(position)
            return position == 0
        }
        #expect(turn == .init(index: 0, nextIndex: 1))
        #expect(asked == [3, 4, 0])
    }

    @Test func aTurnLoopVisitsEveryAvailableMemberOncePerRound() {
        var index = 0
        var order: [String] = []
        for _ in 0..<4 {
            let turn = RoundRobin.turn(in: members, currentIndex: index, skipUnavailable: true)!
            order.append(members[turn.index].agentID)
            index = turn.nextIndex
        }
        #expect(order == ["a", "d", "a", "d"])
    }
}
